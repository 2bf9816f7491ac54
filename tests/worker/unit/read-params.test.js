// The read API's parameters (services/search.js): the filter the core checks, time ranges, limits,
// cursors and chart windows, in Node against the real wasm.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bucketFor, chartWindow, decodeCursor, decodeTailCursor, encodeCursor, encodeTailCursor, queryTerms, readFilter, readLimit,
  readRange,
} from "../../../worker/services/search.js";

const params = (text) => new URLSearchParams(text);
const refusal = async (answer) => ({ status: answer.response.status, ...(await answer.response.json()) });

test("the filter takes levels, each filterable field, exclusions and q as given; the core checks them", () => {
  const { filter } = readFilter(params("level=error,fatal&level=warn&source=api&env=&not.env=dev&not.env=test&q=conn*"));
  assert.deepEqual(filter, { levels: ["error,fatal", "warn"], source: "api", not: { env: ["dev", "test"] }, q: "conn*" });
  assert.deepEqual(queryTerms(filter), ["conn"]);
  assert.deepEqual(readFilter(params("colour=red")).filter, {}); // not a filterable field: not read
  assert.deepEqual(readFilter(params("q=%20%20")).filter, {});
});

test("a filter the core refuses answers 400 naming the parameter", async () => {
  assert.deepEqual(await refusal(readFilter(params("level=loud"))),
    { status: 400, error: { code: "bad_request", message: 'unknown level "loud"' }, field: "level" });
  const many = Array.from({ length: 21 }, (_, i) => `not.env=e${i}`).join("&");
  assert.equal((await refusal(readFilter(params(many)))).field, "not.env");
  assert.equal((await refusal(readFilter(params(`source=${"x".repeat(513)}`)))).field, "source");
  assert.equal((await refusal(readFilter(params("fingerprint=nothex")))).field, "fingerprint");
  const q = await refusal(readFilter(params("q=timeout)")));
  assert.deepEqual([q.field, q.position, q.error.message], ["q", 7, "unexpected ')' at 7"]);
});

test("ranges take RFC 3339, epoch ms and relative times; from must come before to", async () => {
  const now = Date.UTC(2026, 11, 6, 12);
  assert.deepEqual(readRange(params("from=15m"), now, 0), { from: now - 15 * 60_000, to: now + 86_400_000 });
  assert.deepEqual(readRange(params("from=2026-12-06T10:00:00Z&to=1796565600000"), now, 0),
    { from: Date.UTC(2026, 11, 6, 10), to: 1796565600000 });
  assert.equal((await refusal(readRange(params("from=yesterday"), now, 0))).field, "from");
  assert.equal((await refusal(readRange(params("from=2h&to=3h"), now, 0))).field, "from");
});

test("limits are whole numbers within their bounds", async () => {
  assert.deepEqual(readLimit(params(""), 100, 500), { limit: 100 });
  assert.deepEqual(readLimit(params("limit=500"), 100, 500), { limit: 500 });
  for (const bad of ["0", "501", "1.5", "ten", "-1"]) assert.equal((await refusal(readLimit(params(`limit=${bad}`), 100, 500))).field, "limit");
});

test("cursors round-trip and refuse what no answer gave", () => {
  assert.deepEqual(decodeCursor(encodeCursor({ ts: 1796565600000, id: 8193 })), { ts: 1796565600000, id: 8193 });
  assert.equal(decodeCursor("not a cursor"), null);
  assert.equal(decodeTailCursor(encodeTailCursor(12_288)), 12_288);
  assert.equal(decodeTailCursor(encodeCursor({ ts: 1, id: 2 })), null);
});

test("a chart's buckets keep within 96 and sit on their own grid", () => {
  const now = Date.UTC(2026, 11, 6, 12, 7, 30);
  assert.equal(bucketFor(60 * 60_000), 60_000);
  assert.equal(bucketFor(24 * 3_600_000), 15 * 60_000);
  assert.equal(bucketFor(400 * 24 * 3_600_000), 1440 * 60_000);
  const win = chartWindow(params("from=24h"), now);
  assert.equal(win.bucket, 15 * 60_000);
  assert.equal(win.origin % win.bucket, 0);
  assert.ok(win.origin <= win.from && win.from - win.origin < win.bucket);
});
