-- An anomaly rule on a query learns its own history: the events its query matched per whole hour
-- (at its levels), counted by the cron once each hour is over. The baseline rollup cannot hold it
-- (a query can ask anything). Rows older than 28 days are dropped as new ones arrive.
CREATE TABLE alert_rule_hours (
  rule_id  INTEGER NOT NULL,
  hour     INTEGER NOT NULL,  -- epoch ms of the hour's start
  events   INTEGER NOT NULL,
  PRIMARY KEY (rule_id, hour)
) WITHOUT ROWID;
