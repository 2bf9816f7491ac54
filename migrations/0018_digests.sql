-- Digests: per project, whether a daily and a weekly digest go to its alert destinations and at
-- which hour (UTC); and which were sent, so each goes once however many isolates run the cron.
ALTER TABLE projects ADD COLUMN digests TEXT NOT NULL DEFAULT '{"daily":true,"weekly":false,"hour_utc":8}';

CREATE TABLE digests_sent (
  project_id INTEGER NOT NULL,
  period     TEXT    NOT NULL,                 -- daily, weekly
  ends_at    INTEGER NOT NULL,                 -- epoch ms: the end of the period it covers
  sent_at    INTEGER NOT NULL,
  PRIMARY KEY (project_id, period, ends_at)
) WITHOUT ROWID;
