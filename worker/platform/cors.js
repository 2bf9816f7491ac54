// Browsers on ingest routes: preflights, and the CORS headers of answers to listed origins. Which
// origins a key allows is checked where the key is known (ingestWith); a preflight carries no key.
const ALLOWED_HEADERS = "authorization, content-type, content-encoding, x-project-key, x-signature, x-sentry-auth, x-api-key, idempotency-key";
const EXPOSED_HEADERS = "retry-after, x-sentry-rate-limits, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset";

/** OPTIONS on an ingest route: 204, the requesting origin echoed. */
export function preflight(request) {
  const origin = request.headers.get("origin");
  const headers = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
    "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
  if (origin) headers["Access-Control-Allow-Origin"] = origin;
  return new Response(null, { status: 204, headers });
}

/** The answer with CORS headers when the request came from a browser origin the key allows
 *  (ingestWith refuses the others before anything is stored). */
export function withCors(request, response) {
  const origin = request.headers.get("origin");
  if (!origin || response.status === 403) return response;
  const out = new Response(response.body, response);
  out.headers.set("Access-Control-Allow-Origin", origin);
  out.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  out.headers.append("Vary", "Origin");
  return out;
}
