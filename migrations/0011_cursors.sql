-- Where a bounded job stopped, so the next run resumes there (the retention purge: the project to
-- start with), instead of always starting over at the first.
CREATE TABLE cursors (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
