-- Unsigned keys (public, like a Sentry DSN's key): they ingest without an HMAC signature, only
-- with the ingest scope, from servers or from the browser origins they list.
ALTER TABLE keys ADD COLUMN signed INTEGER NOT NULL DEFAULT 1;
-- JSON list of allowed browser origins ("https://app.example.com"); [] allows none.
ALTER TABLE keys ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
-- Requests per minute per client IP for unsigned keys: Sentry SDKs send one request per event.
ALTER TABLE projects ADD COLUMN unsigned_ip_requests_per_minute INTEGER NOT NULL DEFAULT 3000;
