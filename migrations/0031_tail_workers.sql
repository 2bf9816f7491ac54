-- Cloudflare Workers captured with no SDK (docs/workers.md): a customer's Worker names edgelog as
-- its Tail Worker, and the runtime hands edgelog's tail() its invocations. A producer's events go to
-- the project its script name maps to here; '*' maps every producer without a row of its own. A
-- producer seen with no mapping is recorded unmapped (project_id NULL), so the dashboard can offer
-- it; its invocations are counted as dropped until it is mapped.
CREATE TABLE tail_workers (
  script     TEXT    PRIMARY KEY,              -- the producer's script name, or '*'
  project_id INTEGER,                          -- NULL: seen, not mapped
  log_sample REAL    NOT NULL DEFAULT 1 CHECK (log_sample >= 0 AND log_sample <= 1),  -- share of console lines below warn kept
  created_at INTEGER NOT NULL,
  last_seen  INTEGER,                          -- the last invocation received (epoch ms)
  events     INTEGER NOT NULL DEFAULT 0,       -- events accepted from it
  dropped    INTEGER NOT NULL DEFAULT 0        -- invocations received while it was not mapped
) WITHOUT ROWID;
CREATE INDEX tail_workers_project ON tail_workers(project_id);
