-- Reads at volume: full-text search over message and stack, and two small rollups written once
-- per request (not per event) so charts and sparklines never scan the logs table.

-- External content: the text is stored once, in logs; triggers keep the index in step with every
-- insert and every delete (retention, project deletion). columnsize=0: no per-row size record.
CREATE VIRTUAL TABLE logs_fts USING fts5(message, stack, content='logs', content_rowid='id', columnsize=0);

CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts (rowid, message, stack) VALUES (new.id, new.message, new.stack);
END;

CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
  INSERT INTO logs_fts (logs_fts, rowid, message, stack) VALUES ('delete', old.id, old.message, old.stack);
END;

INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');

-- Stored events per project, minute and level: the overview's volume chart and totals.
CREATE TABLE log_counts (
  project_id INTEGER NOT NULL,
  minute     INTEGER NOT NULL,                 -- epoch ms of the minute's start (event time)
  level      TEXT    NOT NULL,
  events     INTEGER NOT NULL,
  PRIMARY KEY (project_id, minute, level)
) WITHOUT ROWID;

-- Stored events per issue and hour: sparklines and an issue's own histogram.
CREATE TABLE issue_hours (
  project_id  INTEGER NOT NULL,
  fingerprint TEXT    NOT NULL,
  hour        INTEGER NOT NULL,                -- epoch ms of the hour's start (event time)
  events      INTEGER NOT NULL,
  PRIMARY KEY (project_id, fingerprint, hour)
) WITHOUT ROWID;

INSERT INTO log_counts (project_id, minute, level, events)
SELECT project_id, ts - ts % 60000, level, count(*) FROM logs GROUP BY 1, 2, 3;

INSERT INTO issue_hours (project_id, fingerprint, hour, events)
SELECT project_id, fingerprint, ts - ts % 3600000, count(*) FROM logs GROUP BY 1, 2, 3;
