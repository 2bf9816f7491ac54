-- Saved queries, per project: a name and a query in the query language (docs/query.md), checked
-- by the core when saved. Error-rate alert rules may count only the events a query matches.
CREATE TABLE saved_queries (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  query       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (project_id, name)
);

ALTER TABLE alert_rules ADD COLUMN query TEXT;
