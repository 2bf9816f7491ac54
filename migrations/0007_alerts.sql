-- Alerts: rules per project, where messages go (URLs encrypted like key secrets), what each
-- (rule, fingerprint) last did, and every delivery attempt.

CREATE TABLE alert_rules (
  id              INTEGER PRIMARY KEY,
  project_id      INTEGER NOT NULL,
  kind            TEXT    NOT NULL,               -- spike | new_issue | regression | error_rate | silence
  threshold       INTEGER NOT NULL DEFAULT 5,
  window_s        INTEGER NOT NULL DEFAULT 60,
  cooldown_s      INTEGER NOT NULL DEFAULT 900,
  silence_minutes INTEGER NOT NULL DEFAULT 0,
  min_level       TEXT    NOT NULL DEFAULT 'error',
  env             TEXT,
  source          TEXT,
  component       TEXT,
  enabled         INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL
);
CREATE INDEX alert_rules_project ON alert_rules(project_id);

CREATE TABLE alert_destinations (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  kind       TEXT    NOT NULL,                    -- discord | slack | webhook
  label      TEXT,
  url_enc    TEXT    NOT NULL,                    -- AES-GCM under EDGELOG_MASTER_KEY
  url_hint   TEXT    NOT NULL,                    -- what the API shows: scheme, host, last characters
  secret_enc TEXT,                                -- generic webhooks: the HMAC signing secret
  enabled    INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
CREATE INDEX alert_destinations_project ON alert_destinations(project_id);

-- Claimed atomically: only the request whose upsert changes the row sends the alert.
CREATE TABLE alert_state (
  rule_id            INTEGER NOT NULL,
  fingerprint        TEXT    NOT NULL,            -- '' for project-level rules
  last_fired_at      INTEGER NOT NULL DEFAULT 0,
  suppressed         INTEGER NOT NULL DEFAULT 0,
  last_suppressed_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (rule_id, fingerprint)
) WITHOUT ROWID;

CREATE TABLE alert_deliveries (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL,
  rule_id        INTEGER,
  destination_id INTEGER,
  fingerprint    TEXT,
  kind           TEXT    NOT NULL,                -- alert | summary | test | digest
  outcome        TEXT    NOT NULL,                -- sent | failed | suppressed | digested
  http_status    INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_project ON alert_deliveries(project_id, id);
