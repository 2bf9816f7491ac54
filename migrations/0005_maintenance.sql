-- Maintenance: the ledger kept hourly past 14 days, and richer run records.

CREATE TABLE outcomes_hourly (
  project_id INTEGER NOT NULL,
  hour       INTEGER NOT NULL,             -- epoch ms of the hour's start
  outcome    TEXT    NOT NULL,
  reason     TEXT    NOT NULL DEFAULT '',
  events     INTEGER NOT NULL DEFAULT 0,
  requests   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, hour, outcome, reason)
) WITHOUT ROWID;

ALTER TABLE maintenance_runs ADD COLUMN trigger TEXT NOT NULL DEFAULT 'cron';   -- cron | manual
ALTER TABLE maintenance_runs ADD COLUMN ok INTEGER NOT NULL DEFAULT 1;          -- 0 when a job failed
ALTER TABLE maintenance_runs ADD COLUMN remaining INTEGER NOT NULL DEFAULT 0;   -- 1 when work was left
