-- Operator-managed project settings, and deletion that can finish in the background.

-- {"debug": 24, "fatal": 168}: hours per level, overriding retention_hours.
ALTER TABLE projects ADD COLUMN retention_overrides TEXT NOT NULL DEFAULT '{}';
-- PII scrubbing settings (extra keys, allow-list, hashing, …), applied by the core.
ALTER TABLE projects ADD COLUMN scrubbing TEXT NOT NULL DEFAULT '{}';
-- Fingerprint rules, one per line: `message:"*timeout*" -> db-timeout`.
ALTER TABLE projects ADD COLUMN fingerprint_rules TEXT NOT NULL DEFAULT '';
-- What GET /config recommends to clients: sampling per level, batch size, flush interval.
ALTER TABLE projects ADD COLUMN client_config TEXT NOT NULL DEFAULT '{}';
-- Set when a delete could not finish within one request; maintenance completes it.
ALTER TABLE projects ADD COLUMN deleted_at INTEGER;
