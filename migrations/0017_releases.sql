-- When each release was first seen in a project: what an issue's suspect release is judged on.
-- One row per release, written by the ingest transaction only the first time.
CREATE TABLE releases (
  project_id INTEGER NOT NULL,
  release    TEXT    NOT NULL,
  first_seen INTEGER NOT NULL,                 -- epoch ms (event time) of its first event seen
  PRIMARY KEY (project_id, release)
) WITHOUT ROWID;
