-- The cold tier: a segment's text moves from D1 to an R2 object (a pack of a project's segments)
-- once it is older than the project's hot_hours, or sooner when the database fills. Its row keeps
-- the header and the filters, so pruning stays in D1; `data` is then '' and `object` names the pack,
-- with the text at [object_offset, object_offset + object_length).
ALTER TABLE projects ADD COLUMN hot_hours INTEGER NOT NULL DEFAULT 24;
ALTER TABLE segments ADD COLUMN object TEXT;
ALTER TABLE segments ADD COLUMN object_offset INTEGER;
ALTER TABLE segments ADD COLUMN object_length INTEGER;
-- Which segments a pack still holds (a pack goes when none is left), and the hot segments of a
-- project in id order (the mover's walk).
CREATE INDEX segments_object ON segments(object) WHERE object IS NOT NULL;
CREATE INDEX segments_hot ON segments(project_id, id) WHERE object IS NULL;

-- Every pack written to R2. 'writing' from before the upload until the transaction that points its
-- segments at it ('stored'); a 'writing' row left behind by a mover that stopped is an upload to
-- delete, never a place a segment is read from.
CREATE TABLE cold_objects (
  key        TEXT    PRIMARY KEY,
  project_id INTEGER NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('writing', 'stored')),
  segments   INTEGER NOT NULL,     -- segments pointed at it when stored
  bytes      INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The database's size, measured by the hourly size job: the last measure of each UTC day.
CREATE TABLE database_sizes (
  day         INTEGER PRIMARY KEY,  -- epoch ms of the day's start
  bytes       INTEGER NOT NULL,
  measured_at INTEGER NOT NULL
);
