-- A saved query keeps how it was looked at: Explore's Visualize (`by`, `agg`, `interval`) as JSON,
-- NULL for the results alone.
ALTER TABLE saved_queries ADD COLUMN view TEXT;
