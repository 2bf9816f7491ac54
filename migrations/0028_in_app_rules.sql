-- In-app rules, one per line: `module:"com.acme.*" -> +app`, `file:"*/generated/*" -> -app`. They
-- decide, frame by frame, which frames are the application's (grouping and the issue page lean on
-- those); frames no rule matches keep the core's defaults.
ALTER TABLE projects ADD COLUMN in_app_rules TEXT NOT NULL DEFAULT '';
