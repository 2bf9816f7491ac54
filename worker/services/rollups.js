// Keeps the issues, issue_hours, log_counts and baseline_hours tables up to date with the
// segments: the cron folds every minute, the queue consumer after the writes it applies, and an
// ingest when the folds are more than 64 segments behind (a burst between two cron runs). Reads
// never fold: they add what is pending (migration 0021's views), which those bounds keep small.
import * as db from "../db/index.js";

const SPAN = 500; // segment ids per fold step (one transaction)
const BUDGET_MS = 2_000;

/** Folds pending segments until caught up or out of budget; answers {steps, folded, remaining,
 *  rows_written}. */
export async function foldPending(env, budgetMs = BUDGET_MS) {
  const started = Date.now();
  let { folded, newest } = await db.foldPosition(env.DB);
  let steps = 0, written = 0;
  while (folded < newest && Date.now() - started < budgetMs) {
    const step = await db.foldStep(env.DB, SPAN);
    folded = step.folded;
    written += step.rowsWritten;
    steps++;
  }
  return { steps, folded, remaining: folded < newest, rows_written: written };
}
