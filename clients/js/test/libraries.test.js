// The Pino and Winston transports with the real pino and winston from npm, against the Worker:
// levels, messages, errors (message and stack) and bindings land in edgelog's fields.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import winston from "winston";
import { EdgelogTransport } from "@edgelog/client/winston";
import { pinoEvent } from "../src/pino.js";
import { startWorker } from "../../../tests/support/harness.js";

let w;
before(async () => { w = await startWorker({ http: true }); });
after(() => w?.dispose());

const byMessage = async (slug) => Object.fromEntries((await w.logs(slug, "from=1h")).map((e) => [e.message, e]));

describe("Pino", () => {
  test("pino.transport({target: '@edgelog/client/pino'}): levels, msg, err, bindings", async () => {
    const p = await w.createProject("pino-app");
    await w.admin("/api/admin/projects/pino-app", { method: "PATCH", body: JSON.stringify({ client_config: { sample_rates: { debug: 1 } } }) });
    const transport = pino.transport({ target: "@edgelog/client/pino", options: { url: w.url, key: p.key, secret: p.secret } });
    const logger = pino({ name: "checkout", level: "debug", base: { env: "production" } }, transport);
    logger.info({ request_id: "req-1", cart: { items: 3 } }, "cart loaded");
    logger.debug("cache warm");
    logger.warn("slow upstream");
    logger.error({ err: new TypeError("price is undefined") }, "checkout failed");
    logger.fatal("out of memory");
    logger.child({ component: "payments" }).error("card declined");
    // Ending the transport ends its stream in the worker thread, which flushes before it closes.
    await new Promise((resolve) => { transport.on("close", resolve); transport.end(); });
    const got = await byMessage("pino-app");
    assert.equal(got["cart loaded"].level, "info");
    assert.equal(got["cart loaded"].request_id, "req-1");
    assert.equal(got["cart loaded"].source, "checkout");
    assert.equal(got["cart loaded"].env, "production");
    assert.deepEqual(got["cart loaded"].ctx.cart, { items: 3 });
    assert.equal(got["cache warm"].level, "debug");
    assert.equal(got["slow upstream"].level, "warn");
    assert.equal(got["checkout failed"].level, "error");
    assert.equal(got["checkout failed"].error_type, "exception"); // edgelog's category, from the stack
    assert.match(got["checkout failed"].stack, /TypeError: price is undefined\n\s+at /);
    assert.equal(got["out of memory"].level, "fatal");
    assert.equal(got["card declined"].component, "payments");
  });

  test("the line mapping: numeric levels, time, an error without msg", () => {
    const ev = pinoEvent({ level: 35, time: 1_700_000_000_000, err: { type: "Error", message: "boom", stack: "Error: boom" } });
    assert.equal(ev.level, "info");
    assert.equal(ev.ts, "2023-11-14T22:13:20.000Z");
    assert.equal(ev.message, "boom");
    assert.equal(ev.stack, "Error: boom");
    assert.equal(pinoEvent({ level: 10, msg: "t" }).level, "trace");
  });
});

describe("Winston", () => {
  test("new EdgelogTransport(): npm levels, errors with stacks, metadata", async () => {
    const p = await w.createProject("winston-app");
    await w.admin("/api/admin/projects/winston-app", { method: "PATCH",
      body: JSON.stringify({ client_config: { sample_rates: { trace: 1, debug: 1 } } }) });
    const transport = new EdgelogTransport({ url: w.url, key: p.key, secret: p.secret });
    const logger = winston.createLogger({
      level: "silly",
      format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
      defaultMeta: { source: "billing" },
      transports: [transport],
    });
    logger.info("invoice sent", { user_id: "u-9", invoice: { total: 42 } });
    logger.http("GET /invoices 200");
    logger.verbose("retrying");
    logger.silly("tick");
    logger.warn("quota at 90%");
    logger.error(new RangeError("amount out of range"));
    await transport.flush();
    const got = await byMessage("winston-app");
    assert.equal(got["invoice sent"].level, "info");
    assert.equal(got["invoice sent"].source, "billing");
    assert.equal(got["invoice sent"].user_id, "u-9");
    assert.deepEqual(got["invoice sent"].ctx.invoice, { total: 42 });
    assert.equal(got["GET /invoices 200"].level, "info");
    assert.equal(got.retrying.level, "debug");
    assert.equal(got.tick.level, "trace");
    assert.equal(got["quota at 90%"].level, "warn");
    const err = got["amount out of range"];
    assert.equal(err.level, "error");
    assert.match(err.stack, /^RangeError: amount out of range\n\s+at /);
    logger.close();
  });
});
