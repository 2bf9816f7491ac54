// Hostile bodies at every ingest route, the drop-in ones included: a clear 4xx, nothing stored.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { startWorker } from "../support/harness.js";

let w, p, key;
before(async () => {
  w = await startWorker();
  p = await w.createProject("hostile");
  key = (await w.createUnsignedKey("hostile")).key;
});
after(() => w?.dispose());

const NAMES = ["edgelog", "Sentry", "OTLP", "Logtail", "Go analytics", "Central"];
const routes = () => [
  ["edgelog", "/api/log", { "Content-Type": "application/json", "X-Project-Key": key }],
  ["Sentry", `/api/${p.project.id}/envelope/?sentry_key=${key}`, {}],
  ["OTLP", "/v1/logs", { "Content-Type": "application/json", Authorization: `Bearer ${key}` }],
  ["Logtail", "/", { "Content-Type": "application/msgpack", Authorization: `Bearer ${key}` }],
  ["Go analytics", "/api/v1/batch-ingest", { "X-API-Key": key }],
  ["Central", "/api/v1/logs/batch", { "X-API-Key": key }],
];

describe("a decompression bomb at every decompressing route", () => {
  const bomb = gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20));
  for (const name of NAMES) {
    test(`${name}: 413 body_too_large, nothing stored`, async () => {
      const [, path, headers] = routes().find(([n]) => n === name);
      const before = await db.countLogs(w.db, p.project.id);
      const res = await w.fetch(path, { method: "POST", body: bomb, headers: { ...headers, "Content-Encoding": "gzip" } });
      assert.equal(res.status, 413);
      assert.equal((await res.json()).error.code, "body_too_large");
      assert.equal(await db.countLogs(w.db, p.project.id), before);
    });
  }
});

describe("bodies that are not what the route reads", () => {
  for (const name of NAMES) {
    test(`${name}: garbage answers 400 with a stable code, nothing stored`, async () => {
      const [, path, headers] = routes().find(([n]) => n === name);
      const before = await db.countLogs(w.db, p.project.id);
      const res = await w.fetch(path, { method: "POST", body: new Uint8Array([0xc1, 0x00, 0xff, 0x7b, 0x22]), headers });
      assert.equal(res.status, 400);
      assert.match((await res.json()).error.code, /^(invalid_json|invalid_body|invalid_envelope)$/);
      assert.equal(await db.countLogs(w.db, p.project.id), before);
    });
  }
});

describe("a lone surrogate (a JavaScript string cut through an emoji) at every JSON route", () => {
  // Each body carries "\ud83d" alone in its message: repaired to U+FFFD, the rest stored.
  const cut = "cut \\ud83d";
  const bodies = () => ({
    edgelog: `[{"level":"error","message":"${cut} edgelog"}]`,
    Sentry: `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"message":"${cut} sentry","level":"error"}\n`,
    OTLP: `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":"ERROR","body":{"stringValue":"${cut} otlp"}}]}]}]}`,
    Logtail: `[{"dt":"${new Date().toISOString()}","level":"error","message":"${cut} logtail"}]`,
    "Go analytics": `{"logs":[{"event_id":"surrogate-1","timestamp":"${new Date().toISOString().replace("Z", "")}",`
      + `"event_type":"error","event_name":"${cut} go"}]}`,
    Central: `[{"workflow_id":"w1","status":"FAILED","category":"${cut} central","ticket_id":"T-S"}]`,
  });
  for (const name of NAMES) {
    test(`${name}: stored with U+FFFD in place of the lone half`, async () => {
      const [, path, headers] = routes().find(([n]) => n === name);
      const contentType = name === "Logtail" ? { "Content-Type": "application/json" } : {};
      const res = await w.fetch(path, { method: "POST", body: bodies()[name], headers: { ...headers, ...contentType } });
      assert.ok(res.status >= 200 && res.status < 300, `${name}: ${res.status} ${await res.clone().text()}`);
      const tag = name === "Go analytics" ? "go" : name.toLowerCase();
      const found = (await w.logs("hostile", "q=cut")).filter((e) => e.message.includes(`cut \ufffd`) && e.message.includes(tag));
      assert.equal(found.length, 1, `${name}: ${JSON.stringify((await w.logs("hostile", "q=cut")).map((e) => e.message))}`);
    });
  }
});
