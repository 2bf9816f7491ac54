-- Event intelligence: what the core adds to each event, the issues events group into, and the
-- project's page rules.

ALTER TABLE logs ADD COLUMN template TEXT;         -- the message with variable parts as placeholders
ALTER TABLE logs ADD COLUMN exception_type TEXT;
ALTER TABLE logs ADD COLUMN frames TEXT;           -- JSON: [{function, module, file, line, in_app}]
ALTER TABLE logs ADD COLUMN action TEXT;           -- page | notify | aggregate
ALTER TABLE logs ADD COLUMN hint TEXT;             -- root-cause hint code
ALTER TABLE logs ADD COLUMN scrubbed INTEGER;      -- values masked before storage

-- One row per (project, fingerprint); upserted once per distinct fingerprint per request, in the
-- same transaction as the events. Its latest event is the one at (project_id, last_seen).
CREATE TABLE issues (
  project_id  INTEGER NOT NULL,
  fingerprint TEXT    NOT NULL,
  title       TEXT    NOT NULL,
  template    TEXT    NOT NULL,
  level       TEXT    NOT NULL,                    -- the highest level seen
  level_rank  INTEGER NOT NULL,                    -- 0 trace … 5 fatal
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'new',      -- new | ongoing | resolved | ignored | regressed
  hint        TEXT,
  resolved_at INTEGER,
  regressed_at INTEGER,
  PRIMARY KEY (project_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX issues_project_last_seen ON issues(project_id, last_seen);

ALTER TABLE projects ADD COLUMN page_rules TEXT NOT NULL DEFAULT '';
