-- Segments are written in format version 2 (columns; docs/segment-format.md). Maintenance
-- rewrites the version-1 segments stored before, in id order; this cursor is how far it got
-- (a fold cursor of its own: every id at or below it has been looked at).
INSERT INTO folds (name, last_segment) VALUES ('recode_v2', 0);
