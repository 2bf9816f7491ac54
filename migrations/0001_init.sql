-- edgelog schema v1: projects, logs, and the record of maintenance runs.
-- Indexes are few on purpose: every index is one more written row per insert on D1's bill.

CREATE TABLE projects (
  id                     INTEGER PRIMARY KEY,
  slug                   TEXT    NOT NULL UNIQUE,
  name                   TEXT    NOT NULL,
  key_hash               TEXT    NOT NULL UNIQUE,      -- SHA-256 hex of the ingest key
  secret                 TEXT    NOT NULL,             -- HMAC secret for X-Signature
  retention_hours        INTEGER NOT NULL DEFAULT 72,
  max_body_bytes         INTEGER NOT NULL DEFAULT 524288,
  max_events_per_request INTEGER NOT NULL DEFAULT 250,
  events_per_minute      INTEGER NOT NULL DEFAULT 5000,
  created_at             INTEGER NOT NULL               -- epoch ms
);

CREATE TABLE logs (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  ts           INTEGER NOT NULL,                        -- event time, epoch ms
  received_at  INTEGER NOT NULL,                        -- epoch ms
  level        TEXT    NOT NULL,                        -- trace|debug|info|warn|error|fatal
  message      TEXT    NOT NULL,
  fingerprint  TEXT    NOT NULL,
  stack        TEXT,
  source       TEXT,
  env          TEXT,
  user_id      TEXT,
  request_id   TEXT,
  session_id   TEXT,
  release      TEXT,
  event_id     TEXT,
  source_type  TEXT,
  error_type   TEXT,
  component    TEXT,
  endpoint     TEXT,
  ctx          TEXT,                                    -- JSON object
  tags         TEXT                                     -- JSON object
);

-- Newest-first reads per project and time-bounded purges both walk this one index.
CREATE INDEX logs_project_ts ON logs(project_id, ts);

CREATE TABLE maintenance_runs (
  id          INTEGER PRIMARY KEY,
  cron        TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  report      TEXT                                      -- JSON
);
