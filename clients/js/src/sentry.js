// Failover from Sentry to edgelog: wraps the Sentry SDK's own transport. Envelopes go to Sentry;
// when Sentry answers 429 or 5xx, the network fails, or the SDK drops an envelope itself (a rate
// limit Sentry asked for, a full queue), the same envelope goes to edgelog's Sentry endpoint. After
// a failure Sentry is skipped until its Retry-After (else 30 s) has passed, then tried again.
//
//   Sentry.init({ dsn, transport: edgelogOverflow({ transport: Sentry.makeNodeTransport,
//                                                   dsn: "https://elk_…@logger.example.com/3" }) })

const encoder = new TextEncoder();
const DOWN_MS = 30_000;

/** `https://<key>@<host>/<project>` → {origin, key, project}. */
export function parseDsn(dsn) {
  const u = new URL(dsn);
  const project = u.pathname.replace(/^\/+|\/+$/g, "");
  if (!u.username || !/^\d+$/.test(project)) throw new TypeError(`not an edgelog DSN: ${dsn}`);
  return { origin: `${u.protocol}//${u.host}`, key: decodeURIComponent(u.username), project };
}

/** A Sentry envelope ([headers, [[itemHeaders, payload], …]]) as the bytes of its wire format. */
export function serializeEnvelope([headers, items]) {
  const parts = [encoder.encode(`${JSON.stringify(headers)}\n`)];
  for (const [itemHeaders, payload] of items) {
    let bytes;
    if (payload instanceof Uint8Array) bytes = payload;
    else bytes = encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
    parts.push(encoder.encode(`${JSON.stringify({ ...itemHeaders, length: bytes.length })}\n`), bytes, encoder.encode("\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const header = (res, name) => {
  const h = res?.headers;
  if (!h) return null;
  return (typeof h.get === "function" ? h.get(name) : h[name] ?? h[name.toLowerCase()]) ?? null;
};

/**
 * A Sentry `transport` option. `transport` is the SDK's default factory (Sentry.makeNodeTransport,
 * or makeFetchTransport in browsers); `dsn` is an edgelog DSN (an unsigned key's), or give `url`,
 * `key` and `project`. After a failure without a Retry-After, Sentry is tried again after
 * `retryPrimaryAfterMs` (30 s). `onFailover(reason)` is told each time an envelope goes to edgelog.
 */
export function edgelogOverflow({ transport: makePrimary, dsn, url, key, project, fetch: fetchImpl, timeoutMs = 10_000,
  retryPrimaryAfterMs = DOWN_MS, onFailover } = {}) {
  if (typeof makePrimary !== "function") throw new TypeError("edgelogOverflow needs the SDK's transport factory as `transport`");
  const target = dsn ? parseDsn(dsn) : { origin: String(url).replace(/\/+$/, ""), key, project: String(project) };
  const endpoint = `${target.origin}/api/${target.project}/envelope/?sentry_key=${encodeURIComponent(target.key)}`;
  const send = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const stats = { primary: 0, edgelog: 0, edgelog_failed: 0, failovers: 0 };

  return (options) => {
    const primary = makePrimary(options);
    let downUntil = 0;
    const pending = new Set(); // sends in flight (to either), which flush() waits for

    async function toEdgelog(envelope, reason) {
      stats.failovers++;
      onFailover?.(reason);
      const body = serializeEnvelope(envelope);
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          const res = await send(endpoint, { method: "POST", body, headers: { "Content-Type": "application/x-sentry-envelope" },
            signal: AbortSignal.timeout(timeoutMs) });
          await res.arrayBuffer();
          if (res.status < 300) {
            stats.edgelog++;
            return { statusCode: res.status };
          }
          if (res.status !== 429 && res.status < 500) break; // refused for good
          const after = Number(res.headers.get("retry-after"));
          await new Promise((r) => setTimeout(r, Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : 250 * 2 ** attempt));
        } catch {
          await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        }
      }
      stats.edgelog_failed++;
      return {};
    }

    const markDown = (res) => {
      const after = Number(header(res, "retry-after"));
      downUntil = Date.now() + (Number.isFinite(after) && after > 0 ? after * 1000 : retryPrimaryAfterMs);
    };

    const track = (sending) => {
      pending.add(sending);
      return sending.finally(() => pending.delete(sending));
    };

    return {
      send: (envelope) => track(route(envelope)),
      async flush(timeout) {
        const waited = Promise.allSettled([...pending]).then(() => true);
        const limit = timeout ? new Promise((r) => { setTimeout(() => r(false), timeout).unref?.(); }) : null;
        const [mine, theirs] = await Promise.all([limit ? Promise.race([waited, limit]) : waited, primary.flush(timeout)]);
        return mine && theirs;
      },
      stats: () => ({ ...stats }),
    };

    async function route(envelope) {
      if (Date.now() < downUntil) return toEdgelog(envelope, "primary down");
      let res;
      try {
        res = await primary.send(envelope);
      } catch (err) {
        markDown(null);
        return toEdgelog(envelope, `primary unreachable: ${err?.message ?? err}`);
      }
      // The SDK answers {} when it dropped the envelope itself (a rate limit, a full queue).
      if (!res || res.statusCode === undefined) return toEdgelog(envelope, "primary dropped it");
      if (res.statusCode === 429 || res.statusCode >= 500) {
        markDown(res);
        return toEdgelog(envelope, `primary answered ${res.statusCode}`);
      }
      stats.primary++;
      return res;
    }
  };
}
