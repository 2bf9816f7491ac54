// Request latency per route pattern, kept in this isolate for /metrics.
const LATENCY_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const latency = new Map(); // route → {buckets, sum, count}
const startedAt = Date.now();
/** Records one request's duration under its route pattern (called by worker.js). */
export function observeRequest(route, seconds) {
  let h = latency.get(route);
  if (!h) {
    h = { buckets: LATENCY_BOUNDS.map(() => 0), sum: 0, count: 0 };
    latency.set(route, h);
  }
  LATENCY_BOUNDS.forEach((b, i) => {
    if (seconds <= b) h.buckets[i]++;
  });
  h.sum += seconds;
  h.count++;
}


/** What /metrics reports: the bucket bounds (seconds), route → {buckets, sum, count}, and when
 *  this isolate started (its counters start with it). */
export function latencyByRoute() {
  return { bounds: LATENCY_BOUNDS, routes: latency, startedAt };
}
