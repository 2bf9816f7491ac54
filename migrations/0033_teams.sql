-- Teams: users who sign in (Cloudflare Access, OIDC), their roles, personal API tokens, and an
-- append-only audit log. The break-glass ADMIN_TOKEN is no user: its use is audited as its own.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT    NOT NULL UNIQUE,            -- lowercased
  name          TEXT,
  created_at    INTEGER NOT NULL,
  invited_by    TEXT,                               -- who invited them (an email, or "break-glass")
  last_login_at INTEGER,
  disabled_at   INTEGER                             -- set: refused everywhere, sessions and tokens too
);

-- A role for all projects (project_id 0) or one project; a user's role on a project is the higher
-- of the two.
CREATE TABLE grants (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  role       TEXT    NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
  PRIMARY KEY (user_id, project_id)
) WITHOUT ROWID;

-- Personal API tokens: stored as their SHA-256 only; scope caps the user's own roles; projects is
-- a JSON array of project ids, or NULL for every project the user can reach.
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label        TEXT    NOT NULL,
  token_hash   TEXT    NOT NULL UNIQUE,
  hint         TEXT    NOT NULL,                    -- the token's last 4 characters
  scope        TEXT    NOT NULL CHECK (scope IN ('read', 'respond', 'admin')),
  projects     TEXT,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Sessions now belong to a user (NULL: a break-glass login with ADMIN_TOKEN).
ALTER TABLE sessions ADD COLUMN user_id INTEGER;

-- Who did what. Append-only: no statement may change a row, and only rows older than a year
-- (366 days) may be deleted (retention). Nothing secret is written here.
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,                      -- epoch ms
  actor      TEXT    NOT NULL,                      -- an email, "break-glass", "key:<id>" or "anonymous"
  actor_kind TEXT    NOT NULL,                      -- user, token, break_glass, key, discord, slack, anonymous
  role       TEXT,                                  -- the role the action was allowed under
  action     TEXT    NOT NULL,                      -- e.g. project.update, issue.resolve, sign_in.failed
  outcome    TEXT    NOT NULL,                      -- ok, denied, failed
  status     INTEGER,                               -- the HTTP status answered
  project_id INTEGER,
  object     TEXT,                                  -- what was acted on (a slug, an id, a fingerprint)
  detail     TEXT,                                  -- JSON: {before, after} for settings, the query of a search
  ip         TEXT,
  user_agent TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log
WHEN OLD.at > (CAST(strftime('%s', 'now') AS INTEGER) - 366 * 86400) * 1000
BEGIN
  SELECT RAISE(ABORT, 'audit_log keeps a year');
END;

-- A responder mutes an alert rule for a while: it sends nothing until then.
ALTER TABLE alert_rules ADD COLUMN muted_until INTEGER;
ALTER TABLE alert_rules ADD COLUMN muted_by TEXT;

-- OIDC sign-ins under way: state → the PKCE verifier and nonce, for ten minutes, used once.
CREATE TABLE auth_flows (
  state      TEXT    PRIMARY KEY,
  verifier   TEXT    NOT NULL,
  nonce      TEXT    NOT NULL,
  return_to  TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Acting where the alert lands: chat users linked to edgelog users (Discord, Slack), one-time
-- codes for linking (stored hashed, ten minutes), interactions already handled (a replayed one is
-- refused), issues ignored for a while, and Discord destinations whose webhook belongs to the
-- Discord application (their messages carry buttons).
CREATE TABLE chat_links (
  provider    TEXT    NOT NULL CHECK (provider IN ('discord', 'slack')),
  external_id TEXT    NOT NULL,                     -- the Discord user id; "<team>:<user>" on Slack
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        TEXT,
  linked_at   INTEGER NOT NULL,
  PRIMARY KEY (provider, external_id)
) WITHOUT ROWID;
CREATE INDEX chat_links_user ON chat_links (user_id);

CREATE TABLE link_codes (
  code_hash  TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE interactions_seen (
  id TEXT    PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE issues ADD COLUMN ignored_until INTEGER;
ALTER TABLE alert_destinations ADD COLUMN interactive INTEGER NOT NULL DEFAULT 0;

