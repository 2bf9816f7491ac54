-- edgelog schema v1: projects, their keys, logs, and the record of maintenance runs.
-- Indexes are few on purpose: every index is one more written row per insert on D1's bill.

CREATE TABLE projects (
  id                     INTEGER PRIMARY KEY,
  slug                   TEXT    NOT NULL UNIQUE,
  name                   TEXT    NOT NULL,
  retention_hours        INTEGER NOT NULL DEFAULT 72,
  max_body_bytes         INTEGER NOT NULL DEFAULT 524288,
  max_events_per_request INTEGER NOT NULL DEFAULT 250,
  events_per_minute      INTEGER NOT NULL DEFAULT 5000,
  created_at             INTEGER NOT NULL               -- epoch ms
);

-- A project has several keys. A key is stored only as its SHA-256; its HMAC secret must stay
-- usable for verification, so it is stored AES-GCM encrypted under EDGELOG_MASTER_KEY.
CREATE TABLE keys (
  id                  INTEGER PRIMARY KEY,
  project_id          INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  prefix              TEXT    NOT NULL,                 -- first characters, to recognise a key
  key_hash            TEXT    NOT NULL UNIQUE,          -- SHA-256 hex of the key
  secret_enc          TEXT    NOT NULL,                 -- encrypted HMAC secret
  previous_secret_enc TEXT,                             -- still verifies during a rotation
  previous_expires_at INTEGER,                          -- epoch ms; NULL: until revoked
  scopes              TEXT    NOT NULL DEFAULT 'ingest',-- comma list: ingest, read
  label               TEXT,
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER,
  revoked_at          INTEGER,
  last_used_at        INTEGER,
  use_count           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX keys_project ON keys(project_id);

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
