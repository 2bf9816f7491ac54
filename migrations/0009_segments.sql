-- Storage becomes segments: the events of one request (one retention class), compressed, in one
-- row with a searchable header (docs/segment-format.md). No per-event rows and no full-text index:
-- the core prunes segments by their filters and matches events itself.

CREATE TABLE segments (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: event ids are id × 4096 + index
  project_id  INTEGER NOT NULL,
  received_at INTEGER NOT NULL,                   -- epoch ms
  ts_min      INTEGER NOT NULL,                   -- event time range, epoch ms
  ts_max      INTEGER NOT NULL,
  events      INTEGER NOT NULL,
  levels      INTEGER NOT NULL,                   -- bit 1 << rank (0 trace … 5 fatal) per level present
  retention_hours INTEGER NOT NULL,               -- the retention class its events were stored under
  fields      TEXT    NOT NULL,                   -- base64 Bloom filter of field=value
  words       TEXT    NOT NULL,                   -- base64 Bloom filter of the words of message and stack
  issues      TEXT    NOT NULL,                   -- JSON [[fingerprint, hour, count, first_ts, last_ts, level_rank, level]]
  minutes     TEXT    NOT NULL,                   -- JSON [[minute, level, count]]
  data        TEXT    NOT NULL                    -- base64 of the segment bytes
);
CREATE INDEX segments_project_ts ON segments(project_id, ts_max);

-- Idempotency: an event with an event_id is stored at most once per project.
CREATE TABLE event_ids (
  project_id INTEGER NOT NULL,
  event_id   TEXT    NOT NULL,
  ts         INTEGER NOT NULL,                    -- the event's time: the id goes with its retention
  PRIMARY KEY (project_id, event_id)
) WITHOUT ROWID;

-- Idempotency-Key: one row per request for 24 h, holding the answer a retry gets again.
CREATE TABLE request_keys (
  project_id INTEGER NOT NULL,
  key        TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  answer     TEXT    NOT NULL,                    -- JSON of the 202 answer
  PRIMARY KEY (project_id, key)
) WITHOUT ROWID;

-- Where the folds of segment aggregates into issues, issue_hours and log_counts have reached.
CREATE TABLE folds (
  name         TEXT    PRIMARY KEY,
  last_segment INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO folds (name, last_segment) VALUES ('aggregates', 0);

-- The old layout's full-text index goes; its rows are converted into segments by maintenance.
DROP TRIGGER logs_fts_insert;
DROP TRIGGER logs_fts_delete;
DROP TABLE logs_fts;
