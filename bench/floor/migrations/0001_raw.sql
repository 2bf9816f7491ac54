-- One row per request: the body as sent.
CREATE TABLE raw (
  id          INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  body        TEXT    NOT NULL
);
