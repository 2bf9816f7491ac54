-- Which ingest write stored a segment: the id a queued copy of the same write carries, so the
-- queue's consumer can tell for certain whether the original transaction (given up on after its
-- time budget) landed after all. Not indexed: looked up within one project's ts_max, rarely.
ALTER TABLE segments ADD COLUMN write_id TEXT;
