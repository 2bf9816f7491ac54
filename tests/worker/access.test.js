// Projects, keys and access control: every admin route refuses strangers, keys live and die as
// documented, sessions and CSRF work, and no project can reach another.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import * as db from "../../worker/db/index.js";
import { ADMIN_TOKEN, startWorker } from "../support/harness.js";

let w;
before(async () => { w = await startWorker(); });
after(() => w?.dispose());

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const post = (path, body, headers = {}) => w.admin(path, { method: "POST", body: JSON.stringify(body ?? {}), headers });
const patch = (path, body) => w.admin(path, { method: "PATCH", body: JSON.stringify(body) });
const one = [{ level: "info", message: "hello" }];

/** A session cookie as the Worker makes it, for forging expired or foreign-token sessions. */
function forgedCookie(token, exp) {
  const b64url = (b) => Buffer.from(b).toString("base64url");
  const body = b64url(JSON.stringify({ exp, csrf: "c" }));
  const key = createHash("sha256").update(`edgelog-session\0${token}`).digest();
  return `edgelog_session=${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

const ADMIN_ROUTES = [
  ["GET", "/api/admin/projects"], ["POST", "/api/admin/projects"],
  ["GET", "/api/admin/projects/acl-a"], ["PATCH", "/api/admin/projects/acl-a"], ["DELETE", "/api/admin/projects/acl-a"],
  ["GET", "/api/admin/projects/acl-a/keys"], ["POST", "/api/admin/projects/acl-a/keys"],
  ["PATCH", "/api/admin/projects/acl-a/keys/1"], ["POST", "/api/admin/projects/acl-a/keys/1/rotate"],
  ["POST", "/api/admin/projects/acl-a/keys/1/revoke-previous"], ["POST", "/api/admin/projects/acl-a/keys/1/revoke"],
  ["GET", "/api/admin/projects/acl-a/tickets"], ["PUT", "/api/admin/projects/acl-a/tickets"],
  ["DELETE", "/api/admin/projects/acl-a/tickets"],
  ["POST", `/api/admin/projects/acl-a/issues/${"0".repeat(32)}/ticket`],
  ["GET", "/api/admin/projects/acl-a/forwarders"], ["POST", "/api/admin/projects/acl-a/forwarders"],
  ["PATCH", "/api/admin/projects/acl-a/forwarders/1"], ["DELETE", "/api/admin/projects/acl-a/forwarders/1"],
  ["GET", "/api/admin/projects/acl-a/queries"], ["POST", "/api/admin/projects/acl-a/queries"],
  ["DELETE", "/api/admin/projects/acl-a/queries/1"],
  ["GET", "/api/admin/projects/acl-a/sourcemaps"], ["POST", "/api/admin/projects/acl-a/sourcemaps"],
  ["DELETE", "/api/admin/projects/acl-a/sourcemaps"], ["DELETE", "/api/admin/projects/acl-a/sourcemaps/1"],
  ["GET", "/api/admin/projects/acl-a/workers"], ["POST", "/api/admin/projects/acl-a/workers"],
  ["PATCH", "/api/admin/projects/acl-a/workers/api"], ["DELETE", "/api/admin/projects/acl-a/workers/api"],
  ["GET", "/api/admin/outcomes"], ["GET", "/api/logs"], ["GET", "/api/admin/storage"],
];

describe("every admin route", () => {
  before(async () => { await w.createProject("acl-a"); });
  for (const [method, path] of ADMIN_ROUTES) {
    test(`${method} ${path} refuses no credentials, a wrong token, an expired or foreign session`, async () => {
      const attempts = [
        {},
        { Authorization: "Bearer not-the-token" },
        { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}` },
        { Cookie: forgedCookie(ADMIN_TOKEN, Date.now() - 1000) },
        { Cookie: forgedCookie("an-old-rotated-token", Date.now() + 3_600_000) },
      ];
      for (const headers of attempts) {
        const res = await w.fetch(path, { method, headers: { "X-CSRF-Token": "c", ...headers }, body: method === "GET" ? undefined : "{}" });
        assert.equal(res.status, 401, `${method} ${path} with ${JSON.stringify(headers)}`);
        assert.equal((await res.json()).error.code, "unauthorized");
      }
      assert.equal(await db.projectBySlug(w.db, "acl-a").then((p) => p?.slug), "acl-a"); // nothing was changed
    });
  }
});

describe("operator sessions", () => {
  test("login sets a strict session cookie, state changes need its CSRF token, logout clears it", async () => {
    const res = await w.fetch("/api/auth/login", { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
    assert.equal(res.status, 200);
    const cookie = res.headers.get("set-cookie");
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]) assert.ok(cookie.includes(attr), attr);
    const { csrf_token } = await res.json();
    const session = cookie.split(";")[0];
    assert.equal((await w.fetch("/api/admin/projects", { headers: { Cookie: session } })).status, 200);
    const noCsrf = await w.fetch("/api/admin/projects", { method: "POST", headers: { Cookie: session }, body: '{"slug":"via-cookie"}' });
    assert.equal(noCsrf.status, 403);
    assert.equal((await noCsrf.json()).error.code, "csrf_failed");
    const withCsrf = await w.fetch("/api/admin/projects", {
      method: "POST", headers: { Cookie: session, "X-CSRF-Token": csrf_token }, body: '{"slug":"via-cookie"}' });
    assert.equal(withCsrf.status, 201);
    const current = await (await w.fetch("/api/auth/session", { headers: { Cookie: session } })).json();
    assert.equal(current.csrf_token, csrf_token);
    const out = await w.fetch("/api/auth/logout", { method: "POST", headers: { Cookie: session } });
    assert.match(out.headers.get("set-cookie"), /Max-Age=0/);
  });

  test("after logout the cookie captured before it is refused everywhere, other sessions stay", async () => {
    const login = async () => {
      const res = await w.fetch("/api/auth/login", { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
      return { cookie: res.headers.get("set-cookie").split(";")[0], csrf: (await res.json()).csrf_token };
    };
    const mine = await login();
    const other = await login();
    assert.equal((await w.fetch("/api/admin/projects", { headers: { Cookie: mine.cookie } })).status, 200);
    assert.equal((await w.fetch("/api/auth/logout", { method: "POST", headers: { Cookie: mine.cookie } })).status, 200);
    // The same cookie, replayed (as someone who copied it would):
    for (const path of ["/api/admin/projects", "/api/auth/session", "/api/logs", "/healthz?verbose=1"])
      assert.equal((await w.fetch(path, { headers: { Cookie: mine.cookie } })).status, 401, path);
    const post = await w.fetch("/api/admin/projects", { method: "POST", headers: { Cookie: mine.cookie, "X-CSRF-Token": mine.csrf },
      body: '{"slug":"after-logout"}' });
    assert.equal(post.status, 401);
    assert.equal((await w.fetch("/api/admin/projects", { headers: { Cookie: other.cookie } })).status, 200);
  });

  test("a wrong token is refused and failed logins are throttled per IP", async () => {
    const attempt = (token, ip) => w.fetch("/api/auth/login", {
      method: "POST", headers: { "CF-Connecting-IP": ip }, body: JSON.stringify({ token }) });
    for (let i = 0; i < 10; i++) assert.equal((await attempt("guess", "203.0.113.9")).status, 401);
    const throttled = await attempt(ADMIN_TOKEN, "203.0.113.9");
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get("Retry-After")) > 0);
    assert.equal((await attempt(ADMIN_TOKEN, "203.0.113.10")).status, 200);
    assert.equal((await w.fetch("/api/auth/session")).status, 401);
  });
});

describe("project rules are checked when written", () => {
  test("a malformed fingerprint or page rule answers 400 with its line and reason; good rules are kept", async () => {
    await w.createProject("rules-check");
    const patch = (body) => w.admin("/api/admin/projects/rules-check", { method: "PATCH", body: JSON.stringify(body) });
    const bad = await patch({ fingerprint_rules: 'message:"*timeout*" -> db-timeout\n# a comment\nnonsense here -> x' });
    assert.equal(bad.status, 400);
    const answer = await bad.json();
    assert.equal(answer.field, "fingerprint_rules");
    assert.match(answer.problems[0], /^line 3: /);
    const badPage = await patch({ page_rules: 'level:error env:"unterminated' });
    assert.equal(badPage.status, 400);
    assert.match((await badPage.json()).problems[0], /^line 1: /);
    const good = await patch({ fingerprint_rules: 'message:"*timeout*" -> db-timeout', page_rules: "level:error env:production" });
    assert.equal(good.status, 200);
    const { project } = await (await w.admin("/api/admin/projects/rules-check")).json();
    assert.equal(project.fingerprint_rules, 'message:"*timeout*" -> db-timeout');
  });
});

describe("the projects list", () => {
  test("says per project how many events came in the last hour and when the newest happened", async () => {
    const busy = await w.createProject("busy");
    await w.createProject("quiet");
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    assert.equal((await w.send(busy, [{ level: "info", message: "a", ts: at }, { level: "info", message: "b" }])).status, 202);
    const { projects } = await (await w.admin("/api/admin/projects")).json();
    const by = Object.fromEntries(projects.map((p) => [p.slug, p]));
    assert.equal(by.busy.events_last_hour, 2);
    assert.ok(Date.parse(by.busy.last_event_at) > Date.now() - 60_000);
    assert.equal(by.quiet.events_last_hour, 0);
    assert.equal(by.quiet.last_event_at, null);
  });
});

describe("created keys", () => {
  test("POST /api/admin/projects and POST …/keys answer one shape: key (the string), key_info, secret", async () => {
    const project = await w.createProject("shape");
    const created = await (await post("/api/admin/projects/shape/keys", { label: "second" })).json();
    for (const answer of [project, created]) {
      assert.match(answer.key, /^elk_[A-Za-z0-9]{43}$/);
      assert.equal(typeof answer.secret, "string");
      assert.deepEqual(Object.keys(answer.key_info).sort(), Object.keys(created.key_info).sort());
      assert.equal(answer.secret_key, answer.key); // the 0.x name, kept for a release
      assert.equal((await w.send({ key: answer.key, secret: answer.secret }, one)).status, 202);
    }
    assert.deepEqual(Object.keys(project).filter((k) => k !== "project").sort(), Object.keys(created).sort());
    assert.equal(project.key_info.label, "default");
    const listed = (await (await w.admin("/api/admin/projects/shape/keys")).json()).keys;
    assert.deepEqual(listed.find((k) => k.id === created.key_info.id).label, "second");
  });
});

describe("the key lifecycle", () => {
  test("create → use → rotate → both secrets work → revoke the old → old fails → revoke → key fails", async () => {
    const p = await w.createProject("life");
    const created = await (await post("/api/admin/projects/life/keys", { label: "ci", scopes: ["ingest"] })).json();
    assert.match(created.key, /^elk_[A-Za-z0-9_-]{43}$/);
    const k = { key: created.key, secret: created.secret };
    assert.equal((await w.send(k, one)).status, 202);

    const rotated = await (await post(`/api/admin/projects/life/keys/${created.key_info.id}/rotate`, {})).json();
    assert.equal(rotated.key_info.status, "rotating");
    assert.notEqual(rotated.secret, created.secret);
    const fresh = { key: created.key, secret: rotated.secret };
    assert.equal((await w.send(k, one)).status, 202, "old secret during the rotation");
    assert.equal((await w.send(fresh, one)).status, 202, "new secret");

    assert.equal((await post(`/api/admin/projects/life/keys/${created.key_info.id}/revoke-previous`)).status, 200);
    const old = await w.send(k, one);
    assert.equal(old.status, 401);
    assert.equal((await old.json()).error.code, "bad_signature");
    assert.equal((await w.send(fresh, one)).status, 202);

    // Usage is gathered in the isolate and written by maintenance (or every 10 s): flush it, then
    // the count is exactly the four stored requests (refused ones do not count).
    assert.equal((await w.admin("/api/admin/maintain", { method: "POST" })).status, 200);
    const listed = (await (await w.admin("/api/admin/projects/life/keys")).json()).keys;
    const mine = listed.find((x) => x.id === created.key_info.id);
    assert.equal(mine.use_count, 4);
    assert.ok(Date.now() - Date.parse(mine.last_used_at) < 60_000);
    assert.equal(mine.status, "active");
    assert.equal(mine.label, "ci");
    for (const x of listed) for (const field of ["secret", "key", "key_hash", "secret_enc"]) assert.equal(x[field], undefined);

    assert.equal((await post(`/api/admin/projects/life/keys/${created.key_info.id}/revoke`)).status, 200);
    const dead = await w.send(fresh, one);
    assert.equal(dead.status, 401);
    assert.equal((await dead.json()).error.code, "unknown_key");
    assert.equal((await w.send(p, one)).status, 202, "the project's other key is untouched");
  });

  test("a rotation with previous_valid_until keeps the old secret only until then", async () => {
    await w.createProject("life-until");
    const c = await (await post("/api/admin/projects/life-until/keys", {})).json();
    const until = new Date(Date.now() + 1500).toISOString();
    const r = await (await post(`/api/admin/projects/life-until/keys/${c.key_info.id}/rotate`, { previous_valid_until: until })).json();
    assert.equal(r.key_info.previous_secret_expires_at, until);
    assert.equal((await w.send({ key: c.key, secret: c.secret }, one)).status, 202);
    await new Promise((res) => setTimeout(res, 1600));
    assert.equal((await w.send({ key: c.key, secret: c.secret }, one)).status, 401);
    assert.equal((await w.send({ key: c.key, secret: r.secret }, one)).status, 202);
  });

  test("an expiring key stops working at its expiry", async () => {
    await w.createProject("life-exp");
    const c = await (await post("/api/admin/projects/life-exp/keys", { expires_at: new Date(Date.now() + 1500).toISOString() })).json();
    const k = { key: c.key, secret: c.secret };
    assert.equal((await w.send(k, one)).status, 202);
    await new Promise((res) => setTimeout(res, 1600));
    assert.equal((await w.send(k, one)).status, 401);
    const listed = (await (await w.admin("/api/admin/projects/life-exp/keys")).json()).keys;
    assert.equal(listed.find((x) => x.id === c.key_info.id).status, "expired");
  });

  test("invalid key input answers 400 with the field; unknown keys 404; revoked keys cannot rotate", async () => {
    await w.createProject("life-bad");
    for (const [body, field] of [[{ scopes: ["admin"] }, "scopes"], [{ scopes: [] }, "scopes"],
      [{ label: 5 }, "label"], [{ expires_at: "2000-01-01T00:00:00Z" }, "expires_at"], [{ expires_at: "soon" }, "expires_at"]]) {
      const res = await post("/api/admin/projects/life-bad/keys", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal((await res.json()).field, field);
    }
    assert.equal((await post("/api/admin/projects/life-bad/keys/99999/rotate")).status, 404);
    assert.equal((await post("/api/admin/projects/life-bad/keys/abc/revoke")).status, 404);
    assert.equal((await post("/api/admin/projects/nope/keys")).status, 404);
    const c = await (await post("/api/admin/projects/life-bad/keys", {})).json();
    await post(`/api/admin/projects/life-bad/keys/${c.key_info.id}/revoke`);
    assert.equal((await post(`/api/admin/projects/life-bad/keys/${c.key_info.id}/rotate`)).status, 409);
  });
});

describe("secrets at rest and caches", () => {
  test("the database holds a hash of the key and an encrypted secret, never the secret", async () => {
    const p = await w.createProject("rest");
    const row = await db.keyByHash(w.db, sha256(p.key), Date.now());
    assert.ok(row, "found by the SHA-256 of the key");
    assert.match(row.secret_enc, /^v1\./);
    assert.ok(!row.secret_enc.includes(p.secret));
    assert.notEqual(row.secret_enc, Buffer.from(p.secret).toString("base64"));
  });

  test("KV caches the lookup with the secret still sealed, and a revocation deletes it", async () => {
    const p = await w.createProject("kv-cache");
    assert.equal((await w.send(p, one)).status, 202);
    const kv = await w.mf.getKVNamespace("CACHE");
    const name = `key:v1:${sha256(p.key)}`;
    const cached = await kv.get(name);
    assert.ok(cached, "cached in KV");
    assert.ok(!cached.includes(p.secret));
    const [key] = (await (await w.admin("/api/admin/projects/kv-cache/keys")).json()).keys;
    await post(`/api/admin/projects/kv-cache/keys/${key.id}/revoke`);
    assert.equal(await kv.get(name), null);
    assert.equal((await w.send(p, one)).status, 401);
  });
});

describe("tenant isolation", () => {
  let a, b, readA;
  before(async () => {
    a = await w.createProject("iso-a");
    b = await w.createProject("iso-b");
    readA = (await (await post("/api/admin/projects/iso-a/keys", { scopes: ["read"] })).json()).key;
    assert.equal((await w.send(a, [{ level: "info", message: "a's", project: "iso-b", project_id: b.project.id }])).status, 202);
    assert.equal((await w.send(b, [{ level: "info", message: "b's" }])).status, 202);
  });

  test("a key writes only its own project, whatever the body claims", async () => {
    assert.equal(await db.countLogs(w.db, a.project.id), 1);
    assert.equal(await db.countLogs(w.db, b.project.id), 1);
  });

  test("a read key reads only its own project", async () => {
    const mine = await (await w.fetch("/api/logs", { headers: { "X-Project-Key": readA } })).json();
    assert.deepEqual(mine.logs.map((l) => [l.project, l.message]), [["iso-a", "a's"]]);
    const other = await w.fetch("/api/logs?project=iso-b", { headers: { "X-Project-Key": readA } });
    assert.equal(other.status, 403);
  });

  test("an ingest key cannot read, and a read key cannot ingest", async () => {
    const res = await w.fetch("/api/logs", { headers: { "X-Project-Key": a.key } });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "forbidden");
    const write = await w.send({ key: readA, secret: "irrelevant" }, one);
    assert.equal(write.status, 403);
  });

  test("A's key with B's secret, or B's key with A's secret, is refused", async () => {
    assert.equal((await w.send({ key: a.key, secret: b.secret }, one)).status, 401);
    assert.equal((await w.send({ key: b.key, secret: a.secret }, one)).status, 401);
  });
});

describe("GET /config", () => {
  test("answers the project's limits and client settings to any of its keys", async () => {
    const p = await w.createProject("cfg");
    await patch("/api/admin/projects/cfg", { client_config: { sample_rates: { debug: 0 }, batch_size: 50 }, max_events_per_request: 40 });
    const res = await w.fetch("/config", { headers: { "X-Project-Key": p.key } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("cache-control"), /max-age=60/);
    const cfg = await res.json();
    assert.equal(cfg.project, "cfg");
    assert.equal(cfg.limits.max_events_per_request, 40);
    assert.equal(cfg.client.sample_rates.debug, 0);
    assert.equal(cfg.client.sample_rates.error, 1);
    assert.equal(cfg.client.batch_size, 40); // never more than a request may carry
  });

  test("refuses a missing or unknown key", async () => {
    assert.equal((await w.fetch("/config")).status, 401);
    assert.equal((await w.fetch("/config", { headers: { "X-Project-Key": "elk_nope" } })).status, 401);
  });
});

describe("project administration", () => {
  test("validates settings, answers 409 to a duplicate slug and decodes JSON settings", async () => {
    const res = await post("/api/admin/projects", { slug: "adm", retention_overrides: { debug: 24, fatal: 168 } });
    assert.equal(res.status, 201);
    assert.deepEqual((await res.json()).project.retention_overrides, { debug: 24, fatal: 168 });
    assert.equal((await post("/api/admin/projects", { slug: "adm" })).status, 409);
    for (const [body, field] of [[{ retention_overrides: { loud: 5 } }, "retention_overrides"],
      [{ client_config: { sample_rates: { info: 2 } } }, "client_config"], [{ max_events_per_request: 1001 }, "max_events_per_request"],
      [{ retention_hours: 9601 }, "retention_hours"], [{ hot_hours: 0 }, "hot_hours"], [{ hot_hours: 2.5 }, "hot_hours"]]) {
      const bad = await patch("/api/admin/projects/adm", body);
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).field, field);
    }
    // Retention up to 400 days (the cold tier keeps the older part on R2), per level too.
    const long = await patch("/api/admin/projects/adm", { retention_hours: 9600, retention_overrides: { debug: 24, error: 9600 }, hot_hours: 6 });
    assert.equal(long.status, 200);
    const kept = (await long.json()).project;
    assert.deepEqual([kept.retention_hours, kept.retention_overrides.error, kept.hot_hours], [9600, 9600, 6]);
  });

  test("delete removes the project's logs, ledger and keys", async () => {
    const p = await w.createProject("doomed");
    assert.equal((await w.send(p, [...one, ...one])).status, 202);
    const res = await w.admin("/api/admin/projects/doomed", { method: "DELETE" });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { deleted: "doomed", complete: true });
    assert.equal(await db.countLogs(w.db, p.project.id), 0);
    assert.deepEqual(await db.keysOfProject(w.db, p.project.id), []);
    assert.deepEqual(await db.listOutcomes(w.db, { projectId: p.project.id, from: 0, to: Date.now() + 60_000 }), []);
    assert.equal((await w.admin("/api/admin/projects/doomed")).status, 404);
    assert.equal((await w.send(p, one)).status, 401);
    assert.equal((await post("/api/admin/projects", { slug: "doomed" })).status, 201, "the slug is free again");
  });
});
