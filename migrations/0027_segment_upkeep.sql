-- Segment upkeep by maintenance, each behind a cursor of its own in folds (every id at or below it
-- has been looked at):
-- * recode_v2: segments are written in format version 2 (columns; docs/segment-format.md), and the
--   version-1 segments stored before are rewritten;
-- * trim_shares: a segment's issues and minutes shares, once folded and two days old (past every
--   alert window), are emptied: nothing reads them again.
INSERT INTO folds (name, last_segment) VALUES ('recode_v2', 0), ('trim_shares', 0);
