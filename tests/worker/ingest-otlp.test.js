// OpenTelemetry unmodified: the real OTLP log exporters (JSON and protobuf, pinned) send through
// the real SDK to the Worker in Miniflare over HTTP; what they sent is read back through the API.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { OTLPLogExporter as JsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { startWorker } from "../support/harness.js";

let w, token;
before(async () => {
  w = await startWorker({ http: true });
  await w.createProject("otel-app");
  token = (await w.createUnsignedKey("otel-app")).key;
});
after(() => w?.dispose());

const logs = (query) => w.logs("otel-app", query);

async function emitWith(Exporter, tag) {
  const exporter = new Exporter({ url: `${w.url}/v1/logs`, headers: { Authorization: `Bearer ${token}` } });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout", "deployment.environment.name": "production", "service.version": "2.0.1" }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger("orders", "1.0.0");
  logger.emit({ severityNumber: 17, severityText: "ERROR", body: `payment failed ${tag}`, attributes: {
    "order.id": 42, "exception.type": "TimeoutError", "exception.message": "upstream took 30s",
    "exception.stacktrace": "TimeoutError: upstream took 30s\n    at pay (/srv/app/pay.js:10:3)\n    at node:internal/process/task_queues:95:5",
    "enduser.id": "u-7",
  } });
  logger.emit({ severityNumber: 9, body: `cart updated ${tag}`, attributes: { items: 3 } });
  await provider.forceFlush();
  await provider.shutdown();
}

for (const [name, Exporter, tag] of [["JSON", JsonExporter, "viajson"], ["protobuf", ProtoExporter, "viaproto"]]) {
  describe(`the OTLP ${name} exporter pointed at edgelog`, () => {
    before(() => emitWith(Exporter, tag));

    test("records arrive with level, message, source, env, release, exception, frames, ctx and time", async () => {
      const [ev] = await logs(`q=payment%20${tag}`);
      assert.ok(ev, "the error record was stored");
      assert.equal(ev.level, "error");
      assert.equal(ev.message, `payment failed ${tag}`);
      assert.equal(ev.source, "checkout");
      assert.equal(ev.env, "production");
      assert.equal(ev.release, "2.0.1");
      assert.equal(ev.user_id, "u-7");
      assert.equal(ev.exception_type, "TimeoutError");
      assert.equal(ev.frames[0].function, "pay");
      assert.equal(ev.frames[0].in_app, true);
      assert.equal(ev.ctx["order.id"], 42);
      assert.equal(ev.ctx.scope, "orders/1.0.0");
      assert.ok(Math.abs(Date.parse(ev.ts) - Date.now()) < 60_000);
      const [info] = await logs(`q=cart%20${tag}`);
      assert.equal(info.level, "info");
      assert.equal(info.ctx.items, 3);
    });
  });
}

describe("POST /v1/logs", () => {
  const record = (body) => ({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [
    { severityNumber: 13, body: { stringValue: body } }, { severityNumber: 9, body: { stringValue: "" } }] }] }] });

  test("answers partialSuccess for a rejected record, in JSON to JSON, gzip accepted", async () => {
    const res = await w.fetch("/v1/logs", { method: "POST", body: gzipSync(JSON.stringify(record("half of it"))),
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip", "X-Project-Key": token } });
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.partialSuccess.rejectedLogRecords, 1);
    assert.match(answer.partialSuccess.errorMessage, /missing_message/);
    assert.equal((await logs("q=half"))[0].level, "warn");
  });

  // A protobuf ExportLogsServiceRequest, field by field: resource_logs(1) > scope_logs(2) >
  // log_records(2) { severity_number(2), body(5) { string_value(1) } }.
  const bytes = (tag, payload) => [(tag << 3) | 2, payload.length, ...payload];
  const request = (...records) => Buffer.from(bytes(1, bytes(2, records.flatMap((r) => bytes(2, r)))));
  const logRecord = (severity, text) => [0x10, severity, ...bytes(5, bytes(1, [...Buffer.from(text)]))];

  test("answers in protobuf to protobuf: an empty response, or partial_success", async () => {
    const post = (body) => w.fetch("/v1/logs", { method: "POST", body, headers: { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${token}` } });
    const ok = await post(request(logRecord(17, "proto by hand")));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-type"), "application/x-protobuf");
    assert.equal((await ok.arrayBuffer()).byteLength, 0);
    assert.equal((await logs("q=hand"))[0].level, "error");
    const partial = await post(request(logRecord(13, "kept by hand"), logRecord(9, "")));
    assert.equal(partial.status, 200);
    // ExportLogsServiceResponse { partial_success(1) { rejected_log_records(1) = 1, error_message(2) } }
    const answer = Buffer.from(await partial.arrayBuffer());
    assert.equal(answer[0], 0x0a);
    assert.deepEqual([...answer.subarray(2, 4)], [0x08, 0x01]);
    assert.equal(answer[4], 0x12);
    assert.match(answer.subarray(6).toString(), /1 log record\(s\) rejected: missing_message/);
    const none = await post(request(logRecord(9, "")));
    assert.equal(none.status, 400); // every record rejected: a bad request, not a partial success
  });

  test("a resent request (identical bytes) is stored once", async () => {
    const body = JSON.stringify(record("resent twice"));
    for (let i = 0; i < 3; i++) {
      const res = await w.fetch("/v1/logs", { method: "POST", body, headers: { "Content-Type": "application/json", "X-Project-Key": token } });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).partialSuccess.rejectedLogRecords, 1);
    }
    assert.equal((await logs("q=resent")).length, 1);
  });

  test("a rate limit answers 429 with Retry-After (the exporters retry after it)", async () => {
    await w.createProject("otel-limited");
    await w.admin("/api/admin/projects/otel-limited", { method: "PATCH", body: JSON.stringify({ events_per_minute: 1 }) });
    const limited = await w.createUnsignedKey("otel-limited");
    const send = (text) => w.fetch("/v1/logs", { method: "POST", body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: text } }] }] }] }),
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${limited.key}` } });
    assert.equal((await send("first")).status, 200);
    const res = await send("second");
    assert.equal(res.status, 429);
    assert.match(res.headers.get("retry-after"), /^\d+$/);
  });

  test("refuses a missing key, a signed key without a signature, and other media types", async () => {
    const body = JSON.stringify(record("refused"));
    assert.equal((await w.fetch("/v1/logs", { method: "POST", body, headers: { "Content-Type": "application/json" } })).status, 401);
    const app = await w.createProject("otel-signed");
    const signed = await w.fetch("/v1/logs", { method: "POST", body, headers: { "Content-Type": "application/json", Authorization: `Bearer ${app.key}` } });
    assert.equal(signed.status, 401);
    assert.equal((await w.fetch("/v1/logs", { method: "POST", body, headers: { "Content-Type": "text/plain", Authorization: `Bearer ${token}` } })).status, 415);
    assert.equal((await logs("q=refused")).length, 0);
  });
});
