-- Writes that reached D1 through the ingest queue (buffered while D1 failed): a redelivered
-- message finds its id here and changes nothing. Rows go after 14 days (maintenance), past the
-- longest a message can wait in a queue.
CREATE TABLE applied_writes (
  id         TEXT    PRIMARY KEY,
  project_id INTEGER NOT NULL,
  applied_at INTEGER NOT NULL
) WITHOUT ROWID;
