-- Anomaly rules per issue: `scope` issue judges each issue with events in the window against its
-- own hourly history; project (the default) the project's events at the rule's levels.
ALTER TABLE alert_rules ADD COLUMN scope TEXT NOT NULL DEFAULT 'project';
