// The wire between the core and the shim, checked on both sides against schema/abi.json: the
// requests the Worker's own modules build and the answers the real wasm returns, in Node with a
// fake D1. Every operation crosses at least once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { operationsSeen, violations } from "../../support/abi-check.mjs";
import * as db from "../../../worker/db/index.js";
import { core } from "../../../worker/platform/core.js";
import { sha256Hex } from "../../../worker/platform/crypto.js";
import { alertOnIngest } from "../../../worker/services/alerting.js";
import { ingestWith } from "../../../worker/services/ingest.js";
import { baselineSeries, issueEvidence, suspectRelease, trendingIssues } from "../../../worker/services/issues.js";
import { forwardBatch, readNewest, tailEvents, walkEvents } from "../../../worker/services/scan.js";
import { histogram } from "../../../worker/services/search.js";
import { aggregateEvents } from "../../../worker/services/aggregate.js";
import { recodeSegments } from "../../../worker/jobs/recode.js";
import { FakeKV, migratedD1 } from "../../support/fake-d1.mjs";
import { ROOT } from "../../support/paths.mjs";

const KEY = "elk_unit_test_key";

async function env() {
  const e = { DB: migratedD1(ROOT), CACHE: new FakeKV() };
  await db.insertProjectWithKey(e.DB, { slug: "p", name: "p", createdAt: 0,
    key: { prefix: KEY.slice(0, 12), hash: await sha256Hex(KEY), secretEnc: "", scopes: "ingest,read", label: "t" } });
  await e.DB.prepare("UPDATE keys SET signed = 0").run();
  await e.DB.prepare("INSERT INTO alert_rules (project_id, kind, threshold, window_s, cooldown_s, silence_minutes, min_level, enabled, created_at) VALUES (1, 'new_issue', 1, 60, 900, 0, 'error', 1, 0)").run();
  return e;
}

const ctx = { waitUntil: () => {} };
const ingest = (e, events) => ingestWith(new Request("http://edgelog.test/api/log", {
  method: "POST", headers: { "content-type": "application/json", "x-project-key": KEY }, body: JSON.stringify(events),
}), e, ctx, { rid: "r", key: KEY, format: "json" });

test("every operation's request and answer, as the shim uses them, conform to schema/abi.json", async () => {
  const e = await env();
  const now = Date.now();
  const events = [
    { level: "error", message: "payment upstream timed out for order 17", release: "1.2.0", event_id: "e1", ctx: { route: "/v1/orders/17" },
      stack: "Error: declined\n    at pay (/srv/app/pay.js:3:1)" },
    { level: "info", message: "user signed in", source: "web" },
  ];
  assert.equal((await ingest(e, events)).status, 202);
  assert.equal((await ingest(e, [{ ...events[0], message: "payment upstream timed out for order 18" }])).status, 202); // a duplicate id
  const project = { id: 1, slug: "p" };
  const page = await walkEvents(e, { projects: [project], from: 0, to: now + 60_000, limit: 10, filter: { levels: ["error"], q: "payment" } });
  assert.equal(page.rows.length, 1);
  await tailEvents(e, { projects: [project], after: 0, filter: {}, from: 0, to: now + 60_000, limit: 10 });
  await forwardBatch(e, { project, after: -1, filter: {}, limit: 10, forward: { format: "ndjson", index: "x", max_bytes: 1 << 20 } });
  await histogram(e, { projects: [project], from: now - 3_600_000, to: now + 60_000, filter: { source: "web" }, bucket: 60_000 });
  const groups = await aggregateEvents(e, { projects: [project], from: 0, to: now + 60_000, filter: {}, by: "level",
    agg: "count, p95(ctx.route)", limit: 10 });
  assert.equal(groups.rows.length, 2);
  await readNewest(e, { project, events: 10, op: "rules", request: { limit: 10, fingerprint_rules: "message:*payment* -> pay" } });
  const issue = (await db.listIssues(e.DB, { projectId: 1, statuses: null, minLevelRank: 4, from: 0, to: now + 60_000, sort: "last_seen", limit: 1 }))[0];
  const evidence = await issueEvidence(e, project, issue);
  await suspectRelease(e, 1, issue, evidence.detail);
  await baselineSeries(e, { projectId: 1, fingerprint: issue.fingerprint, from: now - 3 * 3_600_000, to: now, firstSeen: issue.first_seen });
  await trendingIssues(e, { projectId: 1, statuses: null, minLevelRank: 0, now, limit: 10 });
  await alertOnIngest(e, project, [{ fingerprint: issue.fingerprint, title: issue.title, template: issue.template, level: "error",
    count: 1, first_ts: now, last_ts: now, hint: null }], now, { created: [issue.fingerprint], regressed: [] });
  core.digest({ now_ms: now, kinds: ["discord", "webhook"], period: "daily", from: now - 86_400_000, to: now, project: "p",
    events: 2, errors: 1, dropped: [{ reason: "rate_limited", events: 3 }] });
  core.alerts({ now_ms: now, mode: "storage", project: "", kinds: ["discord", "webhook"],
    storage: { bytes: 8_600_000_000, limit_bytes: 10 * 1024 ** 3, growth_bytes_per_day: 1.5e8, days_to_full: null } });
  core.ticket({ tracker: "github", project: "p", issue, shares: [{ field: "endpoint", values: [{ value: "GET /x", events: 1 }] }] });
  core.vocabulary();
  const map = readFileSync(join(ROOT, "tests", "cpp", "sourcemaps", "fixtures", "app.min.js.map"));
  assert.equal(core.checkSourceMap(new Uint8Array(map)).debug_id, "5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c");
  assert.equal(core.checkSourceMap(new TextEncoder().encode('{"version":3,"mappings":"!"}')).error.code, "invalid_source_map");
  // A stack the map covers, under release 2.0: missing first, then rewritten once the map is kept.
  const stack = readFileSync(join(ROOT, "tests", "cpp", "sourcemaps", "fixtures", "app.min.stack.txt"), "utf8");
  const mapped = { now_ms: now, unsigned: true, symbolicate: true, settings: { max_events: 10 } };
  const body = new TextEncoder().encode(JSON.stringify([{ level: "error", message: "declined", release: "2.0", stack }]));
  const first = core.ingest(mapped, body);
  assert.deepEqual(first.header.missing_maps, ["0:url:2.0|~/assets/app.min.js.map"]);
  first.release();
  assert.equal(core.loadSourceMap("0:url:2.0|~/assets/app.min.js.map", core.zstd(new Uint8Array(map), 3)).kept >= 1, true);
  const second = core.ingest(mapped, body);
  assert.equal(second.header.missing_maps, undefined);
  second.release();
  // A stored event's stack read again with the kept map.
  const late = core.symbolicate({ project_id: 0, in_app_rules: "", events: [{ stack, release: "2.0", debug_images: [] },
    { stack: "Error: x\n    at f (/srv/a.js:1:1)", release: "", debug_images: [{ code_file: "/srv/a.js", debug_id: "00000000-0000-4000-8000-000000000000" }] }] });
  assert.deepEqual(late.events.map((x) => x.frames), [3, 0]);
  assert.equal(late.events[0].stack_frames[0].function, "chargeCard");
  // Maintenance's rewrite of a version-1 segment (written as the old format, two hours ago).
  const old = core.ingest({ now_ms: now, unsigned: true, settings: { max_events: 10, segment_version: 1 } },
    new TextEncoder().encode(JSON.stringify(events.map(({ event_id, ...rest }) => rest))));
  await e.DB.batch(db.ingestStatements(e.DB, { projectId: 1, receivedAt: now - 7_200_000, minute: now - (now % 60_000),
    decision: old, ipKey: null }).statements);
  old.release();
  assert.equal((await recodeSegments(e, { deadline: Date.now() + 10_000, now })).recoded, 1);
  assert.deepEqual(violations(), []);
  for (const op of ["ingest.request", "ingest.answer", "ingest.parts", "ingest_without.request", "prune.request", "prune.answer",
    "rows.answer", "recode.request", "recode.answer", "forward.answer", "histogram.answer", "facets.answer", "aggregate.request", "aggregate.answer", "rules_preview.answer", "baseline.answer",
    "trending.answer", "suggest.answer", "suspect.request", "alerts.request", "alerts.answer", "digest.answer", "ticket.answer",
    "vocabulary.answer", "sourcemap_check.answer", "sourcemap_load.answer", "symbolicate.request", "symbolicate.answer"])
    assert.ok(operationsSeen().includes(op), `${op} never crossed`);
});
