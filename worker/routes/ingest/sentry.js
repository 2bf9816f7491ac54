// Sentry's ingest endpoints, for SDKs configured with an unsigned key's DSN:
// POST /api/<project id>/envelope/ and the legacy POST /api/<project id>/store/. The core's
// Sentry reader turns envelopes into events; this file moves bytes and speaks Sentry's protocol.
import { withCors } from "../../platform/cors.js";
import { error, json, requestId } from "../../platform/http.js";
import { ingestWith } from "../../services/ingest.js";

/** The key from ?sentry_key= or `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7`. */
function sentryKey(request) {
  const fromQuery = new URL(request.url).searchParams.get("sentry_key");
  if (fromQuery) return fromQuery;
  const auth = request.headers.get("x-sentry-auth") ?? request.headers.get("authorization") ?? "";
  return /sentry_key=([A-Za-z0-9_]+)/.exec(auth)?.[1] ?? null;
}

// Accepted: 200 {"id"}, and never a Retry-After (an SDK would pause on it).
function accepted(header, _rid, headers) {
  const { "Retry-After": _, ...rest } = headers;
  return json(200, { id: header.reply_id ?? "" }, rest);
}

// A rate limit also in Sentry's own header: "<seconds>::<scope>" (all categories).
function sentryAnswer(response) {
  if (response.status !== 429) return response;
  const retry = response.headers.get("retry-after") ?? "60";
  const out = new Response(response.body, response);
  out.headers.set("X-Sentry-Rate-Limits", `${retry}::project`);
  return out;
}

function handler(format) {
  return async (request, env, ctx, { project }) => {
    const rid = requestId(request);
    const key = sentryKey(request);
    if (!key) {
      return withCors(request, error(401, "missing_key",
        "a sentry_key (in the DSN, sent as ?sentry_key= or X-Sentry-Auth) is required", { request_id: rid }));
    }
    if (!/^\d+$/.test(project)) return error(404, "not_found", "no such route");
    const response = await ingestWith(request, env, ctx, { rid, key, format, accepted, project: Number(project) });
    return withCors(request, sentryAnswer(response));
  };
}

export const sentryEnvelope = handler("sentry_envelope");
export const sentryStore = handler("sentry_store");
