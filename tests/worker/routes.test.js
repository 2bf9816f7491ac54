// GET /api/logs, /healthz, admin routes and unknown routes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { VERSION } from "../../worker/platform/version.js";
import { ROOT, startWorker } from "../support/harness.js";

let w, a, b;
before(async () => {
  w = await startWorker();
  a = await w.createProject("alpha");
  b = await w.createProject("beta");
  const events = Array.from({ length: 7 }, (_, i) => ({
    ts: Date.now() - 3_600_000 + i * 1000, level: i % 2 ? "error" : "info", message: `alpha ${i}`,
  }));
  assert.equal((await w.send(a, events)).status, 202);
  assert.equal((await w.send(b, [{ level: "warn", message: "beta 0" }])).status, 202);
});
after(() => w?.dispose());

describe("GET /api/logs", () => {
  test("refuses a request without the admin token", async () => {
    const res = await w.fetch("/api/logs");
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  });

  test("refuses a wrong admin token", async () => {
    const res = await w.fetch("/api/logs", { headers: { Authorization: "Bearer wrong" } });
    assert.equal(res.status, 401);
  });

  test("returns events newest first", async () => {
    const { logs } = await (await w.admin("/api/logs?project=alpha")).json();
    assert.deepEqual(logs.map((l) => l.message), [6, 5, 4, 3, 2, 1, 0].map((i) => `alpha ${i}`));
  });

  test("filters by level and project", async () => {
    const { logs } = await (await w.admin("/api/logs?project=alpha&level=error")).json();
    assert.deepEqual(logs.map((l) => l.message), ["alpha 5", "alpha 3", "alpha 1"]);
    const beta = await (await w.admin("/api/logs?project=beta")).json();
    assert.deepEqual(beta.logs.map((l) => l.message), ["beta 0"]);
  });

  test("pages with the before cursor without gaps or repeats", async () => {
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 10; page++) {
      const q = `/api/logs?project=alpha&limit=3${cursor ? `&before=${cursor}` : ""}`;
      const body = await (await w.admin(q)).json();
      seen.push(...body.logs.map((l) => l.message));
      cursor = body.next_before;
      if (!cursor) break;
    }
    assert.deepEqual(seen, [6, 5, 4, 3, 2, 1, 0].map((i) => `alpha ${i}`));
  });

  test("answers 400 with the field for bad parameters", async () => {
    for (const [query, field] of [["limit=0", "limit"], ["limit=501", "limit"], ["limit=x", "limit"],
      ["level=loud", "level"], ["before=!!", "before"]]) {
      const res = await w.admin(`/api/logs?${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.equal(body.error.code, "bad_request");
      assert.equal(body.field, field);
    }
  });
});

describe("GET /healthz", () => {
  test("reports the database and the version", async () => {
    const res = await w.fetch("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, database: "ok", version: VERSION });
  });

  test("the version matches package.json", () => {
    assert.equal(VERSION, JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });
});

describe("admin projects", () => {
  test("refuse requests without credentials", async () => {
    assert.equal((await w.fetch("/api/admin/projects")).status, 401);
    const res = await w.fetch("/api/admin/projects", { method: "POST", body: '{"slug":"x"}' });
    assert.equal(res.status, 401);
  });

  test("answer 409 to a duplicate slug and 400 to a bad one", async () => {
    const dup = await w.admin("/api/admin/projects", { method: "POST", body: '{"slug":"alpha"}' });
    assert.equal(dup.status, 409);
    const bad = await w.admin("/api/admin/projects", { method: "POST", body: '{"slug":"Not Valid"}' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, "slug");
  });

  test("list projects without their secrets", async () => {
    const { projects } = await (await w.admin("/api/admin/projects")).json();
    assert.deepEqual(projects.map((p) => p.slug), ["alpha", "beta"]);
    for (const p of projects) assert.equal(p.secret, undefined);
  });
});

describe("routing", () => {
  test("unknown routes answer 404 in the error envelope", async () => {
    const res = await w.fetch("/nope");
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, "not_found");
  });
});

describe("project settings", () => {
  test("PATCH changes limits and answers the project", async () => {
    const res = await w.admin("/api/admin/projects/beta", {
      method: "PATCH", body: JSON.stringify({ events_per_minute: 42, require_timestamp: true }),
    });
    assert.equal(res.status, 200);
    const { project } = await res.json();
    assert.equal(project.events_per_minute, 42);
    assert.equal(project.require_timestamp, true);
    const read = await (await w.admin("/api/admin/projects/beta")).json();
    assert.equal(read.project.events_per_minute, 42);
  });

  test("PATCH answers 400 with the field for unknown or invalid settings and 404 for no project", async () => {
    const unknown = await w.admin("/api/admin/projects/beta", { method: "PATCH", body: '{"color":"red"}' });
    assert.equal(unknown.status, 400);
    assert.equal((await unknown.json()).field, "color");
    const invalid = await w.admin("/api/admin/projects/beta", { method: "PATCH", body: '{"retention_hours":0}' });
    assert.equal((await invalid.json()).field, "retention_hours");
    assert.equal((await w.admin("/api/admin/projects/nope", { method: "PATCH", body: "{}" })).status, 404);
  });

  test("refuse requests without credentials", async () => {
    assert.equal((await w.fetch("/api/admin/projects/beta")).status, 401);
    assert.equal((await w.fetch("/api/admin/projects/beta", { method: "PATCH", body: "{}" })).status, 401);
  });
});

describe("GET /api/vocabulary and GET /api/query", () => {
  test("the vocabulary is the core's, for anyone (nothing in it is secret)", async () => {
    const res = await w.fetch("/api/vocabulary");
    assert.equal(res.status, 200);
    const v = await res.json();
    assert.deepEqual(v.levels, ["trace", "debug", "info", "warn", "error", "fatal"]);
    assert.ok(v.filter_fields.includes("request_id"));
    assert.deepEqual(v.alert_kinds.find((k) => k.name === "silence").fields, ["silence_minutes", "cooldown_s"]);
    assert.deepEqual(v.limits.retention_hours, { min: 1, max: 9600 }); // 400 days
    assert.deepEqual(v.limits.hot_hours, { min: 1, max: 9600 });
  });

  test("reading a query bar refuses a request without credentials", async () => {
    const res = await w.fetch("/api/query?text=source:api");
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  });

  test("the core reads a query bar into the read API's parameters, or says what is wrong", async () => {
    const res = await w.admin(`/api/query?text=${encodeURIComponent('timeout source:api -env:dev level:error "refused by"')}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { filter: { source: "api", q: 'timeout "refused by"', level: "error", not: { env: ["dev"] } },
      terms: ["timeout", "refused by"] });
    // The bar is one query: a fault anywhere in it is the query's, with its place.
    const bad = await w.admin("/api/query?text=level:loud");
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.equal(body.error.code, "bad_request");
    assert.equal(body.field, "q");
    assert.equal(body.position, 6);
    // Past the core's terms: refused as the query's (a URL stops long before the 64 KiB of text).
    const many = await w.admin(`/api/query?text=${encodeURIComponent(Array.from({ length: 1001 }, (_, k) => `w${k}`).join(" "))}`);
    assert.equal(many.status, 400);
    assert.match((await many.json()).error.message, /^more than 1000 terms at \d+$/);
  });
});
