-- Tickets: per project, the tracker tickets go to (GitHub or Jira Cloud; its token sealed under
-- EDGELOG_MASTER_KEY), and per issue the ticket made from it. A ticket row is claimed before the
-- tracker is called, so an issue never gets two.
CREATE TABLE ticket_trackers (
  project_id  INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,                -- github | jira
  base_url    TEXT    NOT NULL,                -- https://api.github.com, https://acme.atlassian.net
  target      TEXT    NOT NULL,                -- owner/repo (GitHub), the project key (Jira)
  issue_type  TEXT,                            -- Jira: Bug, Task, …
  account     TEXT,                            -- Jira: the account's email
  token_enc   TEXT    NOT NULL,
  auto_page   INTEGER NOT NULL DEFAULT 0,      -- 1: a ticket for every new or regressed page-class issue
  created_at  INTEGER NOT NULL
);

CREATE TABLE tickets (
  project_id  INTEGER NOT NULL,
  fingerprint TEXT    NOT NULL,
  status      TEXT    NOT NULL,                -- creating | created | failed
  tracker     TEXT,                            -- github | jira
  url         TEXT,                            -- the ticket's page
  key         TEXT,                            -- "#12", "OPS-7"
  auto        INTEGER NOT NULL DEFAULT 0,      -- created for a page-class issue, not by a person
  claimed_at  INTEGER NOT NULL,
  created_at  INTEGER,
  error       TEXT,
  PRIMARY KEY (project_id, fingerprint)
) WITHOUT ROWID;

-- Forwarding: per project, stored events matching a filter sent on to an Elasticsearch/OpenSearch
-- `_bulk` endpoint or a generic HTTP endpoint. `cursor` is the highest event id handled: it moves
-- only after the endpoint accepted a batch, under a lease so one isolate sends at a time.
CREATE TABLE forwarders (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id      INTEGER NOT NULL,
  kind            TEXT    NOT NULL,            -- elasticsearch | http
  label           TEXT,
  url_enc         TEXT    NOT NULL,
  url_hint        TEXT    NOT NULL,
  auth_enc        TEXT,                        -- the Authorization header's value, sealed
  index_name      TEXT,                        -- elasticsearch: the index or data stream
  filter          TEXT    NOT NULL DEFAULT '', -- the read API's query string: level=error&q=timeout
  cursor          INTEGER NOT NULL,
  lease_until     INTEGER NOT NULL DEFAULT 0,
  enabled         INTEGER NOT NULL DEFAULT 1,
  sent            INTEGER NOT NULL DEFAULT 0,  -- events accepted by the endpoint
  last_sent_at    INTEGER,
  last_attempt_at INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL
);
CREATE INDEX forwarders_project ON forwarders(project_id);
