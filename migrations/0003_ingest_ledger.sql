-- The ingest contract: an outcome ledger, client-IP counters, idempotent event ids, and the
-- per-project settings that go with them.

ALTER TABLE projects ADD COLUMN require_timestamp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN ip_requests_per_minute INTEGER NOT NULL DEFAULT 120;

-- Per project and minute, what happened to events and requests, and why. The accepted and
-- duplicate rows of the current and previous minute are also the project's rate-limit counts.
CREATE TABLE outcomes (
  project_id INTEGER NOT NULL,
  minute     INTEGER NOT NULL,             -- epoch ms of the minute's start
  outcome    TEXT    NOT NULL,             -- accepted, duplicate, invalid, truncated, retimed,
                                           -- rate_limited, bad_signature, too_large, utf8_repaired
  reason     TEXT    NOT NULL DEFAULT '',  -- the error code, when there is one
  events     INTEGER NOT NULL DEFAULT 0,
  requests   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, minute, outcome, reason)
) WITHOUT ROWID;

-- Requests per client IP and minute, for the per-IP limit across isolates.
CREATE TABLE rate_counters (
  key          TEXT    NOT NULL,           -- "ip:<address>"
  window_start INTEGER NOT NULL,           -- epoch ms
  count        INTEGER NOT NULL,
  PRIMARY KEY (key, window_start)
) WITHOUT ROWID;

-- An event_id is stored at most once per project; only events that carry one pay for the entry.
CREATE UNIQUE INDEX logs_project_event_id ON logs(project_id, event_id) WHERE event_id IS NOT NULL;
