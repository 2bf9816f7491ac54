-- Hourly event counts kept 28 days, past event retention: the history baselines and anomaly
-- alerts compare the present with. Project rows per level (fingerprint ''), issue rows with level
-- '' (all its levels). Folded from the segments' shares with the other rollups.
CREATE TABLE baseline_hours (
  project_id  INTEGER NOT NULL,
  fingerprint TEXT    NOT NULL,
  level       TEXT    NOT NULL,
  hour        INTEGER NOT NULL,                -- epoch ms of the hour's start (event time)
  events      INTEGER NOT NULL,
  PRIMARY KEY (project_id, fingerprint, level, hour)
) WITHOUT ROWID;

INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
SELECT project_id, fingerprint, '', hour, events FROM issue_hours;

INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
SELECT project_id, '', level, minute - minute % 3600000, sum(events) FROM log_counts GROUP BY 1, 3, 4;

-- Anomaly rules: how readily they fire (low, medium, high).
ALTER TABLE alert_rules ADD COLUMN sensitivity TEXT NOT NULL DEFAULT 'medium';
