-- "Resolve in next release": the release an issue was resolved in. While it is set and the issue
-- is resolved, events of that release (or of none) leave it resolved; an event of any other
-- release regresses it. Cleared when the status changes.
ALTER TABLE issues ADD COLUMN resolved_in_release TEXT;
