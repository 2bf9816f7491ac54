-- Which fields the core truncated, and the original ts when it was implausible and replaced.
ALTER TABLE logs ADD COLUMN truncated TEXT;       -- JSON array: ["message", "ctx", …]
ALTER TABLE logs ADD COLUMN ts_original INTEGER;  -- epoch ms as sent
