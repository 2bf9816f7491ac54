// The ingest contract: encodings, NDJSON, timestamped signatures, rate limits, idempotency,
// the outcome ledger and storage failures.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as db from "../../worker/db/index.js";
import { readFileSync } from "node:fs";
import { Core } from "../../bindings/loader.js";
import { MASTER_KEY, ROOT, applySqlFile, sign, startWorker } from "../support/harness.js";
import { seal } from "../../worker/platform/secrets.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const events = (n, tag, extra = {}) =>
  Array.from({ length: n }, (_, i) => ({ level: "info", message: `${tag} ${i}`, ...extra }));

async function outcomes(slug) {
  const res = await w.admin(`/api/admin/outcomes?project=${slug}&from=1h`);
  assert.equal(res.status, 200);
  const body = await res.json();
  const by = {};
  for (const t of body.totals) by[t.reason ? `${t.outcome}:${t.reason}` : t.outcome] = t;
  return by;
}

describe("encodings and shapes", () => {
  let p;
  before(async () => { p = await w.createProject("shapes"); });

  test("accepts a gzip body whose signature covers the compressed bytes", async () => {
    const gz = gzipSync(JSON.stringify(events(3, "gz")));
    const res = await w.send(p, new Uint8Array(gz), { headers: { "Content-Encoding": "gzip" } });
    assert.equal(res.status, 202);
    assert.equal((await res.json()).accepted, 3);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
  });

  test("refuses a gzip body signed over its decompressed text", async () => {
    const text = JSON.stringify(events(1, "x"));
    const res = await w.send(p, new Uint8Array(gzipSync(text)), {
      headers: { "Content-Encoding": "gzip" }, signature: sign(p.secret, text),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "bad_signature");
  });

  test("answers 413 to a decompression bomb and stores nothing", async () => {
    const before = await db.countLogs(w.db, p.project.id);
    const bomb = gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 512 * 1024);
    const res = await w.send(p, new Uint8Array(bomb), { headers: { "Content-Encoding": "gzip" } });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "body_too_large");
    assert.equal(await db.countLogs(w.db, p.project.id), before);
  });

  test("answers 400 invalid_encoding to a corrupt gzip body and 415 to br", async () => {
    const bad = await w.send(p, new Uint8Array([0x1f, 0x8b, 1, 2, 3]), { headers: { "Content-Encoding": "gzip" } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_encoding");
    const br = await w.send(p, "x", { headers: { "Content-Encoding": "br" } });
    assert.equal(br.status, 415);
    assert.equal((await br.json()).error.code, "unsupported_encoding");
  });

  test("accepts NDJSON where a bad line rejects only its event", async () => {
    const body = '{"level":"info","message":"nd 1"}\n\n{broken\n{"level":"warn","message":"nd 2"}\n';
    const res = await w.send(p, body, { headers: { "Content-Type": "application/x-ndjson" } });
    assert.equal(res.status, 202);
    const answer = await res.json();
    assert.equal(answer.accepted, 2);
    assert.deepEqual(answer.rejected.map((r) => [r.index, r.code]), [[1, "invalid_json"]]);
  });
});

describe("signatures", () => {
  let p;
  before(async () => { p = await w.createProject("sigs"); });
  const stamped = (secret, body, t) =>
    `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;

  test("accepts t=,v1= within 300 s and refuses a stale one with stale_signature", async () => {
    const body = JSON.stringify(events(1, "stamped"));
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await w.send(p, body, { signature: stamped(p.secret, body, now - 250) })).status, 202);
    const stale = await w.send(p, body, { signature: stamped(p.secret, body, now - 400) });
    assert.equal(stale.status, 401);
    assert.equal((await stale.json()).error.code, "stale_signature");
  });

  test("during a rotation both the old and the new secret verify, and only until the old expires", async () => {
    const r = await w.createProject("sigs-rotate");
    const [key] = await db.keysOfProject(w.db, r.project.id);
    const env = { EDGELOG_MASTER_KEY: MASTER_KEY };
    await db.rotateKeySecret(w.db, key.id, { secretEnc: await seal(env, "new-secret"), previousExpiresAt: null });
    await w.admin("/api/admin/projects/sigs-rotate", { method: "PATCH", body: "{}" }); // drops cached keys
    const body = JSON.stringify(events(1, "rotating"));
    assert.equal((await w.send(r, body)).status, 202);
    assert.equal((await w.send({ key: r.key, secret: "new-secret" }, body)).status, 202);
    await db.rotateKeySecret(w.db, key.id, { secretEnc: await seal(env, "newest"), previousExpiresAt: Date.now() - 1 });
    await w.admin("/api/admin/projects/sigs-rotate", { method: "PATCH", body: "{}" });
    assert.equal((await w.send({ key: r.key, secret: "new-secret" }, body)).status, 401);
    assert.equal((await w.send({ key: r.key, secret: "newest" }, body)).status, 202);
  });

  test("a project that requires timestamps refuses the plain form", async () => {
    const q = await w.createProject("sigs-strict");
    await db.updateProject(w.db, q.project.id, { require_timestamp: 1 });
    const body = JSON.stringify(events(1, "plain"));
    const res = await w.send(q, body);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "malformed_signature");
    const ok = await w.send(q, body, { signature: stamped(q.secret, body, Math.floor(Date.now() / 1000)) });
    assert.equal(ok.status, 202);
  });
});

describe("rate limits", () => {
  test("a project's events per minute are exact at the boundary and refuse whole with headers", async () => {
    const p = await w.createProject("rate-events");
    await db.updateProject(w.db, p.project.id, { events_per_minute: 10 });
    // A new key lookup sees the new limit (the project row is read with the key).
    const first = await w.send(p, events(6, "a"));
    assert.equal(first.status, 202);
    assert.equal(first.headers.get("X-RateLimit-Limit"), "10");
    assert.equal(first.headers.get("X-RateLimit-Remaining"), "4");
    const second = await w.send(p, events(4, "b"));
    assert.equal(second.status, 202);
    assert.equal(second.headers.get("X-RateLimit-Remaining"), "0");
    const refused = await w.send(p, events(1, "c"));
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).error.code, "rate_limited");
    assert.ok(Number(refused.headers.get("Retry-After")) >= 1);
    assert.equal(refused.headers.get("X-RateLimit-Remaining"), "0");
    assert.ok(Number(refused.headers.get("X-RateLimit-Reset")) <= 60);
    assert.equal(await db.countLogs(w.db, p.project.id), 10);
    const ledger = await outcomes("rate-events");
    assert.equal(ledger["rate_limited:rate_limited"].events, 1);
    assert.equal(ledger.accepted.events, 10);
  });

  test("the limit holds after the isolate re-reads its counts from D1", async () => {
    const p = await w.createProject("rate-d1");
    await db.updateProject(w.db, p.project.id, { events_per_minute: 5 });
    assert.equal((await w.send(p, events(5, "d"))).status, 202);
    await new Promise((r) => setTimeout(r, 2100)); // past the isolate's 2 s freshness window
    const res = await w.send(p, events(1, "e"));
    assert.equal(res.status, 429);
  });

  test("a client IP's requests per minute are limited before the signature is checked", async () => {
    const p = await w.createProject("rate-ip");
    await db.updateProject(w.db, p.project.id, { ip_requests_per_minute: 3 });
    const headers = { "CF-Connecting-IP": "198.51.100.7" };
    for (let i = 0; i < 3; i++) assert.equal((await w.send(p, events(1, `ip${i}`), { headers })).status, 202);
    const refused = await w.send(p, events(1, "ip3"), { headers, signature: "0".repeat(64) });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("X-RateLimit-Limit"), "3");
    const other = await w.send(p, events(1, "other"), { headers: { "CF-Connecting-IP": "198.51.100.8" } });
    assert.equal(other.status, 202);
  });
});

describe("idempotency", () => {
  test("a retried batch with event_ids is stored once and counted as duplicates", async () => {
    const p = await w.createProject("idem");
    const batch = events(4, "retry").map((e, i) => ({ ...e, event_id: `evt-${i}` }));
    batch.push({ level: "info", message: "no id" });
    const first = await (await w.send(p, batch)).json();
    assert.equal(first.accepted, 5);
    assert.equal(first.duplicates, 0);
    const again = await w.send(p, batch);
    assert.equal(again.status, 202);
    const answer = await again.json();
    assert.equal(answer.accepted, 5);
    assert.equal(answer.duplicates, 4);
    assert.equal(await db.countLogs(w.db, p.project.id), 6); // the event without an id is new
    const ledger = await outcomes("idem");
    assert.equal(ledger.duplicate.events, 4);
    assert.equal(ledger.accepted.events, 6);
  });

  test("duplicates within one batch are stored once", async () => {
    const p = await w.createProject("idem-inner");
    const res = await (await w.send(p, [
      { level: "info", message: "a", event_id: "same" }, { level: "info", message: "b", event_id: "same" },
    ])).json();
    assert.equal(res.duplicates, 1);
    assert.equal(await db.countLogs(w.db, p.project.id), 1);
  });

  test("concurrent retries of one batch store every event once, and issue counts leave the retries out", async () => {
    const p = await w.createProject("idem-race");
    const batch = Array.from({ length: 5 }, (_, i) => ({ level: "error", message: "job 7 timed out", event_id: `race-${i}` }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => w.send(p, batch)));
    assert.ok(answers.every((r) => r.status === 202));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    assert.equal(bodies.reduce((n, b) => n + b.accepted - b.duplicates, 0), 5); // stored once in all
    assert.equal(await db.countLogs(w.db, p.project.id), 5);
    await w.fold();
    const [issue] = await db.issuesOfProject(w.db, p.project.id);
    assert.equal(issue.count, 5);
  });

  test("a retried request with the same Idempotency-Key gets the first answer and stores nothing again", async () => {
    const p = await w.createProject("idem-key");
    const batch = events(3, "keyed"); // no event ids: only the key makes the retry safe
    const headers = { "Idempotency-Key": "batch-0001" };
    const first = await w.send(p, batch, { headers });
    assert.equal(first.status, 202);
    const firstBody = await first.json();
    const retry = await w.send(p, batch, { headers });
    assert.equal(retry.status, 202);
    const retryBody = await retry.json();
    assert.equal(retryBody.replayed, true);
    assert.equal(retryBody.request_id, firstBody.request_id);
    assert.equal(retryBody.accepted, 3);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
    assert.equal((await outcomes("idem-key")).accepted.events, 3);
    // Another key is another request.
    assert.equal((await w.send(p, batch, { headers: { "Idempotency-Key": "batch-0002" } })).status, 202);
    assert.equal(await db.countLogs(w.db, p.project.id), 6);
  });

  test("refuses an Idempotency-Key that is not 1 to 128 visible characters, storing nothing", async () => {
    const p = await w.createProject("idem-bad");
    for (const key of ["a".repeat(129), "has space"]) {
      const res = await w.send(p, events(1, "bad"), { headers: { "Idempotency-Key": key } });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).field, "idempotency-key");
    }
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
  });
});

describe("storage cost", () => {
  // The Worker's own statements for a request, run here so D1's rows_written can be read.
  const core = new Core(new WebAssembly.Module(readFileSync(join(ROOT, "wasm", "edgelog.wasm"))));
  async function write(p, events) {
    const now = Date.now();
    const body = new TextEncoder().encode(JSON.stringify(events));
    const decision = core.ingest({ now_ms: now, secrets: ["k"], signature: sign("k", body), settings: { max_events: 1000 } }, body);
    const { statements } = db.ingestStatements(w.db, { projectId: p.project.id, receivedAt: now, minute: now - (now % 60_000),
      decision, ipKey: "ip:203.0.113.9" });
    decision.release();
    const results = await w.db.batch(statements);
    return results.reduce((n, r) => n + r.meta.rows_written, 0);
  }

  test("a batch without event ids writes a handful of rows once its issues exist, folds included", async () => {
    const p = await w.createProject("cost");
    const batch = Array.from({ length: 200 }, (_, i) => ({
      level: ["info", "warn", "error"][i % 3], message: `order ${i % 25} failed`, source: "api",
    }));
    await write(p, batch); // its 25 issues are new
    await w.fold();
    let written = 0;
    for (let i = 0; i < 5; i++) written += await write(p, batch);
    const folded = await w.fold();
    written += folded.rows_written;
    assert.ok(written / 1000 <= 0.05, `${written} rows written for 1000 events`);
    assert.ok(written > 0);
  });

  test("an event_id costs one more row", async () => {
    const p = await w.createProject("cost-ids");
    const batch = (tag) => Array.from({ length: 100 }, (_, i) => ({ level: "info", message: "ping", event_id: `${tag}-${i}` }));
    const plainBatch = Array.from({ length: 100 }, () => ({ level: "info", message: "ping" }));
    await write(p, batch("warm")); // the issue is new
    await write(p, plainBatch); // and now ongoing
    const plain = await write(p, plainBatch);
    const withIds = await write(p, batch("b"));
    assert.equal(withIds - plain, 100);
  });

  test("the release statements run only for a batch whose issues carry a release", async () => {
    const p = await w.createProject("cost-releases");
    const statementsOf = (events) => {
      const now = Date.now();
      const body = new TextEncoder().encode(JSON.stringify(events));
      const decision = core.ingest({ now_ms: now, secrets: ["k"], signature: sign("k", body), settings: { max_events: 1000 } }, body);
      const answer = { header: decision.header, ...db.ingestStatements(w.db, { projectId: p.project.id, receivedAt: now,
        minute: now - (now % 60_000), decision, ipKey: null }) };
      decision.release();
      return answer;
    };
    const plain = statementsOf([{ level: "error", message: "boom" }, { level: "info", message: "ok" }]);
    assert.equal(plain.header.release_issues, undefined);
    assert.equal(plain.pastRelease, undefined);
    const released = statementsOf([{ level: "error", message: "boom", release: "1.4.2" }, { level: "info", message: "ok" }]);
    assert.equal(released.header.release_issues, 1);
    assert.equal(released.statements.length, plain.statements.length + 2);
    const changes = db.issueChanges(await w.db.batch(plain.statements), plain);
    assert.equal(changes.created.length, 2); // the new issues are still told without the release statements
    assert.deepEqual(changes.regressed, []);
  });
});

describe("the outcome ledger", () => {
  test("counts accepted, invalid, truncated and refused requests by reason", async () => {
    const p = await w.createProject("ledger");
    await w.send(p, [...events(2, "ok"), { message: "no level" }, { level: "info", message: "m".repeat(9000) }]);
    await w.send(p, events(1, "forged"), { signature: "ab".repeat(32) });
    await w.send(p, "{not json");
    const ledger = await outcomes("ledger");
    assert.equal(ledger.accepted.events, 3);
    assert.equal(ledger["invalid:missing_level"].events, 1);
    assert.equal(ledger.truncated.events, 1);
    assert.equal(ledger["bad_signature:bad_signature"].requests, 1);
    assert.equal(ledger["invalid:invalid_json"].requests, 1);
  });

  test("refuses requests without the admin token", async () => {
    assert.equal((await w.fetch("/api/admin/outcomes")).status, 401);
  });

  test("answers 400 to a bad time and 404 to an unknown project", async () => {
    assert.equal((await w.admin("/api/admin/outcomes?from=yesterday")).status, 400);
    assert.equal((await w.admin("/api/admin/outcomes?project=nope")).status, 404);
  });
});

describe("storage failures", () => {
  test("answer 503 with Retry-After, store nothing partial, and a retry stores the batch once", async () => {
    const p = await w.createProject("fault");
    const batch = events(3, "fault").map((e, i) => ({ ...e, event_id: `f-${i}` }));
    await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/segments_unavailable.sql"));
    try {
      const res = await w.send(p, batch);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("Retry-After"), "5");
      assert.equal((await res.json()).error.code, "storage_unavailable");
    } finally {
      await applySqlFile(w.db, join(ROOT, "tests/worker/fixtures/segments_restored.sql"));
    }
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
    assert.equal((await outcomes("fault")).accepted, undefined); // the ledger rolled back too
    const retry = await w.send(p, batch);
    assert.equal(retry.status, 202);
    assert.equal(await db.countLogs(w.db, p.project.id), 3);
  });
});

describe("key usage", () => {
  test("is recorded without a write per request", async () => {
    const p = await w.createProject("usage");
    for (let i = 0; i < 3; i++) assert.equal((await w.send(p, events(1, `u${i}`))).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() }); // flushes what is pending
    const keys = await db.keysOfProject(w.db, p.project.id);
    assert.equal(keys.length, 1);
    assert.equal(keys[0].use_count, 3);
    assert.ok(keys[0].last_used_at > Date.now() - 60_000);
  });
});
