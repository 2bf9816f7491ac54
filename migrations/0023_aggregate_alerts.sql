-- Alert rules on an aggregate (kind 'aggregate'): a measure of the events a query matches, per
-- group of up to three fields, compared with the threshold over the rule's window; one alert per
-- group, its state kept under the group's key in alert_state.fingerprint. threshold may then hold
-- a fraction (REAL in an INTEGER column keeps its value in SQLite).
ALTER TABLE alert_rules ADD COLUMN group_by TEXT;    -- `by` as docs/query.md writes it; NULL: one group
ALTER TABLE alert_rules ADD COLUMN measure TEXT;     -- one measure: count, p95(ctx.duration_ms), …
ALTER TABLE alert_rules ADD COLUMN op TEXT;          -- '>', '>=', '<' or '<='
