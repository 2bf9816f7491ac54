-- Logs as open data: Parquet files of each project's events on R2, in a Hive layout by hour of the
-- events' time (docs/storage.md). A file is 'writing' from before its upload until the transaction
-- that moves the project's export cursor past its events ('stored'); a 'writing' file left by an
-- export that stopped is deleted before the next export of that project, which writes it again.
CREATE TABLE open_data_files (
  key        TEXT    PRIMARY KEY,    -- parquet/project=<slug>/date=<YYYY-MM-DD>/hour=<HH>/<first id>-<last id>.parquet
  project_id INTEGER NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('writing', 'stored')),
  hour       INTEGER NOT NULL,       -- epoch ms of the hour its events' times fall in
  rows       INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX open_data_files_project_hour ON open_data_files(project_id, hour);
