// The ingest transaction's time budget: with a queue to fall back on, a D1 write that runs past
// INGEST_WRITE_BUDGET_MS (5 s by default) is given up on and the batch queued instead (the
// transaction itself may still land: the consumer looks for it before writing the queued copy).

export class BudgetExceeded extends Error {}

export const writeBudgetMs = (env) => Number(env.INGEST_WRITE_BUDGET_MS ?? 5000);

/** env.DB.batch(statements), failing with BudgetExceeded after the budget when a queue is bound. */
export function writeWithin(env, statements) {
  const write = env.DB.batch(statements);
  if (!env.INGEST_QUEUE) return write;
  const ms = writeBudgetMs(env);
  let timer;
  const budget = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceeded(`the D1 write took over ${ms} ms`)), ms);
  });
  write.catch(() => {}); // a failure after the budget is the queue's to handle
  return Promise.race([write, budget]).finally(() => clearTimeout(timer));
}
