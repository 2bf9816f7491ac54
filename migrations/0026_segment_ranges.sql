-- A segment's numeric ranges (docs/segment-format.md): per path below ctx and tags, the least and
-- greatest number its events hold, so a comparison (`ctx.duration_ms:>5000`) skips segments
-- unopened. Base64, written by the core; NULL for segments stored before, which it never prunes.
ALTER TABLE segments ADD COLUMN ranges TEXT;
