-- Dashboard sessions, server-side: the signed cookie names one of these rows, and logging out
-- deletes it, so a cookie copied before the logout reads nothing after it. Expired rows go in
-- maintenance.
CREATE TABLE sessions (
  id         TEXT    PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
