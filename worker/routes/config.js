// GET /config: a project's limits and the client settings it recommends, for any of its keys.
// Served from the cached key lookup, so it costs no database query while the cache is warm.
import { credentialsForKey } from "../services/credentials.js";
import { error, json } from "../platform/http.js";
import { LEVELS } from "../platform/vocabulary.js";

// Clients keep every event but a tenth of debug and no trace, unless the project says otherwise.
const DEFAULT_RATES = { trace: 0, debug: 0.1 };
const DEFAULT_CLIENT = {
  sample_rates: Object.fromEntries(LEVELS.map((l) => [l, DEFAULT_RATES[l] ?? 1])),
  batch_size: 100,
  flush_interval_ms: 5000,
};

export async function clientConfig(request, env) {
  const key = request.headers.get("x-project-key");
  if (!key) return error(401, "missing_key", "the X-Project-Key header is required");
  const creds = await credentialsForKey(env, key, Date.now());
  if (!creds) return error(401, "unknown_key", "the project key is not valid");
  const p = creds.project;
  const client = JSON.parse(p.client_config);
  return json(200, {
    project: p.slug,
    limits: {
      max_body_bytes: p.max_body_bytes,
      max_events_per_request: p.max_events_per_request,
      events_per_minute: p.events_per_minute,
      ip_requests_per_minute: p.ip_requests_per_minute,
      retention_hours: p.retention_hours,
    },
    signature: p.require_timestamp === 1 ? "timestamped" : "plain or timestamped",
    client: {
      ...DEFAULT_CLIENT,
      ...client,
      sample_rates: { ...DEFAULT_CLIENT.sample_rates, ...(client.sample_rates ?? {}) },
      batch_size: Math.min(client.batch_size ?? DEFAULT_CLIENT.batch_size, p.max_events_per_request),
    },
  }, { "Cache-Control": "private, max-age=60" });
}
