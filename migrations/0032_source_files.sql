-- Source maps and the minified files they map (docs/sourcemaps.md), uploaded per project: found by
-- debug ID, or by release and URL ('~/' + the path in the upload, as Sentry names artifacts). Each is
-- kept zstd-compressed: on R2 (`object`) where the deployment binds it, else in D1 as chunks below
-- D1's row limit. They are purged after the deployment's retention for them (90 days by default).
CREATE TABLE source_files (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('map', 'source')),
  url          TEXT    NOT NULL,   -- ~/assets/app.min.js.map
  release      TEXT,               -- NULL: uploaded without one
  debug_id     TEXT,               -- lowercased; NULL when the file names none
  bytes        INTEGER NOT NULL,   -- as uploaded
  stored_bytes INTEGER NOT NULL,   -- compressed
  object       TEXT,               -- its R2 key, or NULL when its chunks are in source_chunks
  created_at   INTEGER NOT NULL
);
CREATE INDEX source_files_debug_id ON source_files(project_id, debug_id) WHERE debug_id IS NOT NULL;
CREATE INDEX source_files_release ON source_files(project_id, release, url);
CREATE INDEX source_files_created ON source_files(created_at);

CREATE TABLE source_chunks (
  file_id INTEGER NOT NULL,
  seq     INTEGER NOT NULL,
  data    BLOB    NOT NULL,
  PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;
