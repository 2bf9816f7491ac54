// Failover from Sentry: the real @sentry/node with edgelogOverflow around its own transport, a
// fake Sentry on 127.0.0.1 that answers 200, then 429 with X-Sentry-Rate-Limits, then refuses
// connections, then answers 200 again; and the real Worker. Every event the app logged is in the
// fake Sentry or in edgelog, exactly once across the two.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import * as Sentry from "@sentry/node";
import { edgelogOverflow } from "@edgelog/client";
import { startWorker } from "../../../tests/support/harness.js";

let w, dsn;
const primary = { mode: "ok", ids: new Set(), server: null, port: 0, requests: 0 };

function envelopeIds(body) {
  const [header] = body.split("\n");
  const id = JSON.parse(header).event_id;
  return id ? [id] : [];
}

async function listen() {
  primary.server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      primary.requests++;
      if (primary.mode === "limited") {
        res.writeHead(429, { "Retry-After": "1", "X-Sentry-Rate-Limits": "1:error:organization:quota_exceeded" });
        res.end();
        return;
      }
      for (const id of envelopeIds(body)) primary.ids.add(id);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((r) => primary.server.listen(primary.port, "127.0.0.1", r));
  primary.port = primary.server.address().port;
}
const stop = () => new Promise((r) => { primary.server.closeAllConnections(); primary.server.close(r); });

before(async () => {
  w = await startWorker({ http: true });
  await w.createProject("overflow");
  const patch = await w.admin("/api/admin/projects/overflow", { method: "PATCH",
    body: JSON.stringify({ unsigned_ip_requests_per_minute: 0, events_per_minute: 1_000_000 }) });
  assert.equal(patch.status, 200);
  // The DSN as this Worker's HTTP address (the key's own names the host the admin call reached).
  const made = new URL((await w.createUnsignedKey("overflow")).dsn);
  dsn = `http://${made.username}@${new URL(w.url).host}${made.pathname}`;
  await listen();
});
after(async () => {
  await Sentry.close(2000).catch(() => {});
  if (primary.server.listening) await stop();
  await w?.dispose();
});

test("10,000 events through 200 → 429 → connection refused → 200: each stored once, in Sentry or in edgelog", { timeout: 300_000 }, async () => {
  const failovers = [];
  Sentry.init({
    dsn: `http://public@127.0.0.1:${primary.port}/1`,
    defaultIntegrations: false,
    transport: edgelogOverflow({ transport: Sentry.makeNodeTransport, dsn, retryPrimaryAfterMs: 500,
      onFailover: (reason) => failovers.push(reason) }),
    transportOptions: { bufferSize: 500 },
  });
  const logged = [];
  const phases = [["ok", 2500], ["limited", 2500], ["down", 2500], ["ok", 2500]];
  const primaryAtPhase = [];
  for (const [mode, n] of phases) {
    if (mode === "down") await stop();
    else if (!primary.server.listening) await listen();
    primary.mode = mode;
    primaryAtPhase.push(primary.ids.size);
    if (mode === "ok" && primaryAtPhase.length === 4) await new Promise((r) => setTimeout(r, 600)); // past retryPrimaryAfterMs
    for (let i = 0; i < n; i += 100) {
      for (let k = 0; k < 100; k++) logged.push(Sentry.captureMessage(`order ${logged.length} failed`, "error"));
      assert.ok(await Sentry.flush(20_000), "the SDK flushed");
    }
  }
  primaryAtPhase.push(primary.ids.size);

  const res = await w.admin("/api/export?project=overflow&from=1h&limit=50000&format=ndjson");
  const inEdgelog = new Map();
  for (const line of (await res.text()).split("\n").filter(Boolean)) {
    const id = JSON.parse(line).event_id;
    inEdgelog.set(id, (inEdgelog.get(id) ?? 0) + 1);
  }
  const both = [...primary.ids].filter((id) => inEdgelog.has(id));
  const missing = logged.filter((id) => !primary.ids.has(id) && !inEdgelog.has(id));
  assert.equal(logged.length, 10_000);
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} events were lost`);
  assert.deepEqual(both.slice(0, 5), [], `${both.length} events are in both`);
  assert.ok([...inEdgelog.values()].every((n) => n === 1), "nothing stored twice in edgelog");
  assert.equal(primary.ids.size + inEdgelog.size, 10_000);
  // Sentry took phase 1, none of phases 2 and 3, and most of phase 4 (the switch back).
  assert.equal(primaryAtPhase[1] - primaryAtPhase[0], 2500);
  assert.equal(primaryAtPhase[3] - primaryAtPhase[1], 0);
  assert.ok(primaryAtPhase[4] - primaryAtPhase[3] >= 2000, `Sentry took ${primaryAtPhase[4] - primaryAtPhase[3]} of phase 4`);
  assert.ok(failovers.some((r) => /429/.test(r)) && failovers.some((r) => /unreachable/.test(r)), failovers.slice(0, 3).join("; "));
  console.log(`sentry failover: ${primary.ids.size} in Sentry, ${inEdgelog.size} in edgelog, ${primary.requests} requests to Sentry`);
});
