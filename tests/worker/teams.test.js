// Teams: users signed in through Cloudflare Access (a fake team with its JWKS on 127.0.0.1), roles
// per project walked over the whole route table, personal API tokens, and the audit log.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ROUTES } from "../../worker/router/table.js";
import * as db from "../../worker/db/index.js";
import { ADMIN_TOKEN, startWorker } from "../support/harness.js";
import { signJwt, signingKey, startIdp } from "../support/idp.js";

const RANK = { viewer: 1, responder: 2, admin: 3 };
let w, idp;
const csrf = new Map(); // email → the CSRF token /api/auth/session gives that Access user

before(async () => {
  idp = await startIdp();
  w = await startWorker({ bindings: { ACCESS_TEAM_DOMAIN: idp.origin, ACCESS_AUD: idp.aud, OWNER_EMAIL: "Owner@Example.com" } });
  for (const slug of ["team-a", "team-b", "team-doomed"]) await w.createProject(slug);
});
after(async () => {
  await w?.dispose();
  await idp?.close();
});

/** A request as the Access user `email` (with the CSRF token on state-changing methods). */
async function as(email, path, init = {}) {
  const headers = { "Cf-Access-Jwt-Assertion": idp.accessToken(email), ...(init.headers ?? {}) };
  if (init.method && init.method !== "GET") {
    if (!csrf.has(email)) csrf.set(email, (await (await as(email, "/api/auth/session")).json()).csrf_token);
    headers["X-CSRF-Token"] ??= csrf.get(email);
  }
  return w.fetch(path, { ...init, headers });
}
const json = (init) => ({ ...init, body: JSON.stringify(init.body), headers: { "Content-Type": "application/json" } });
const invite = async (email, grants) => {
  const res = await w.admin("/api/admin/users", json({ method: "POST", body: { email, grants } }));
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).user;
};
const auditRows = async () => (await w.db.prepare("SELECT * FROM audit_log ORDER BY id").all()).results;

describe("Cloudflare Access", () => {
  test("a valid JWT signs a user in; the owner of OWNER_EMAIL becomes admin of every project", async () => {
    const res = await as("owner@example.com", "/api/auth/session");
    assert.equal(res.status, 200);
    const s = await res.json();
    assert.equal(s.via, "access");
    assert.deepEqual(s.user, { email: "owner@example.com", name: null });
    assert.deepEqual(s.roles, { "*": "admin" });
    assert.match(s.csrf_token, /^[A-Za-z0-9_-]{24}$/);
    assert.equal((await as("owner@example.com", "/api/admin/projects")).status, 200);
    const rows = await auditRows();
    assert.ok(rows.some((r) => r.action === "sign_in" && r.actor === "owner@example.com" && JSON.parse(r.detail).via === "access"));
    assert.ok(rows.some((r) => r.action === "user.grants" && JSON.parse(r.detail).reason === "OWNER_EMAIL"));
  });

  test("no JWT, forged, expired, not yet valid, wrong audience, wrong issuer, alg none and HS256 are refused and recorded", async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = signingKey("RS256", idp.key.kid); // same kid, another key: a forgery
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: idp.key.kid })).toString("base64url")}.${
      Buffer.from(JSON.stringify({ email: "owner@example.com", aud: [idp.aud], iss: idp.origin, exp: now + 600 })).toString("base64url")}.`;
    const hsHead = Buffer.from(JSON.stringify({ alg: "HS256", kid: idp.key.kid })).toString("base64url");
    const hsBody = Buffer.from(JSON.stringify({ email: "owner@example.com", aud: [idp.aud], iss: idp.origin, exp: now + 600 })).toString("base64url");
    const hs = `${hsHead}.${hsBody}.${createHmac("sha256", JSON.stringify(idp.key.jwk)).update(`${hsHead}.${hsBody}`).digest("base64url")}`;
    const cases = {
      missing: null,
      forged: idp.accessToken("owner@example.com", {}, { key: stranger }),
      expired: idp.accessToken("owner@example.com", { exp: now - 120, iat: now - 900 }),
      not_yet: idp.accessToken("owner@example.com", { nbf: now + 600 }),
      audience: idp.accessToken("owner@example.com", { aud: ["another-app"] }),
      issuer: idp.accessToken("owner@example.com", { iss: "https://evil.cloudflareaccess.com" }),
      alg_none: none,
      hs256: hs,
      garbage: "not.a.jwt",
    };
    const before = (await auditRows()).length;
    for (const [name, token] of Object.entries(cases)) {
      const res = await w.fetch("/api/admin/projects", { headers: token ? { "Cf-Access-Jwt-Assertion": token } : {} });
      assert.equal(res.status, 401, name);
      const body = await res.json();
      assert.equal(body.error.code, name === "missing" ? "access_required" : "access_denied", name);
      assert.doesNotMatch(JSON.stringify(body), /at verify|stack|TypeError/, name);
    }
    const failures = (await auditRows()).slice(before).filter((r) => r.action === "sign_in.failed");
    assert.equal(failures.length, Object.keys(cases).length - 1); // the missing one is no sign-in attempt
    assert.ok(failures.every((r) => r.outcome === "failed" && JSON.parse(r.detail).via === "access"));
  });

  test("the team's keys rotate: a token of the new key is accepted (the set is fetched again), the old key's refused", async () => {
    const oldToken = idp.accessToken("owner@example.com");
    assert.equal((await w.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": oldToken } })).status, 200);
    const fetched = idp.jwksFetches;
    idp.rotate("ES256");
    const fresh = idp.accessToken("owner@example.com");
    assert.equal((await w.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": fresh } })).status, 200);
    assert.equal(idp.jwksFetches, fetched + 1);
    const stale = await w.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": oldToken } });
    assert.equal(stale.status, 401);
  });

  test("state changes need the CSRF token (Access's cookie rides along cross-site requests)", async () => {
    const res = await w.fetch("/api/admin/projects/team-b", { method: "PATCH", body: '{"events_per_minute":77}',
      headers: { "Cf-Access-Jwt-Assertion": idp.accessToken("owner@example.com") } });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "csrf_failed");
  });

  test("a user who signs in uninvited exists with no role: signed in, but reads nothing", async () => {
    const s = await (await as("drifter@example.com", "/api/auth/session")).json();
    assert.deepEqual(s.roles, {});
    assert.deepEqual((await (await as("drifter@example.com", "/api/admin/projects")).json()).projects, []);
    const res = await as("drifter@example.com", "/api/logs");
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "forbidden");
  });
});

describe("roles on every route", () => {
  // Who walks the table, and the role each holds on team-a (the project the paths name).
  const walkers = {
    "viewer-a@example.com": { "team-a": "viewer" },
    "responder-a@example.com": { "team-a": "responder" },
    "admin-a@example.com": { "team-a": "admin", "team-doomed": "admin" },
    "admin-b@example.com": { "team-b": "admin" },
    "nobody@example.com": {},
    "global-viewer@example.com": { "*": "viewer" },
    "global-admin@example.com": { "*": "admin" },
    "mixed@example.com": { "*": "viewer", "team-a": "admin" }, // the higher of the two decides
  };
  before(async () => {
    for (const [email, roles] of Object.entries(walkers))
      await invite(email, Object.entries(roles).map(([project, role]) => ({ project, role })));
  });

  /** Every protected (method, path) of the table, with its parameters filled in. */
  const protectedRoutes = () => Object.entries(ROUTES).flatMap(([path, methods]) => Object.entries(methods)
    .filter(([, r]) => r.role !== null)
    .map(([method, r]) => {
      const slug = method === "DELETE" && path === "/api/admin/projects/:slug" ? "team-doomed" : "team-a";
      const concrete = path.replace(":slug", slug).replace(":fingerprint", "0".repeat(32)).replace(":id", "1").replace(":script", "api");
      const query = r.on === "handler" ? "?project=team-a" : "";
      return { method, path, url: concrete + query, route: r, slug };
    }));

  /** The role a walker holds where this route acts. */
  function allowed(email, { route, slug }) {
    if (route.role === "signed_in") return true;
    const roles = walkers[email];
    const held = Math.max(RANK[roles["*"]] ?? 0, route.on === "all" ? 0 : RANK[roles[slug]] ?? 0);
    return held >= RANK[route.role];
  }

  // Reads posted as JSON name their project in the body.
  const call = (email, { method, url, route }) => {
    const body = method === "GET" ? undefined : route.on === "handler" ? '{"project":"team-a"}' : "{}";
    return email === null ? w.fetch(url, { method, body }) : as(email, url, { method, body, headers: { "Content-Type": "application/json" } });
  };

  test("without credentials every protected route answers 401, and nothing changes", async () => {
    const routes = protectedRoutes();
    assert.ok(routes.length >= 70, `${routes.length} protected routes`);
    for (const r of routes) {
      const res = await call(null, r);
      assert.equal(res.status, 401, `${r.method} ${r.path}`);
      assert.ok(["unauthorized", "access_required"].includes((await res.json()).error.code));
    }
    assert.ok(await db.projectBySlug(w.db, "team-doomed"));
  });

  test("each role is refused (403 forbidden) where it falls short, and recorded as denied", async () => {
    const routes = protectedRoutes();
    let denials = 0;
    const before = (await auditRows()).length;
    for (const email of Object.keys(walkers)) {
      for (const r of routes) {
        if (allowed(email, r)) continue;
        const res = await call(email, r);
        const body = await res.json();
        assert.equal(res.status, 403, `${email} ${r.method} ${r.url}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, "forbidden", `${email} ${r.method} ${r.url}`);
        denials++;
      }
    }
    assert.ok(denials > 150, `${denials} denials`);
    const denied = (await auditRows()).slice(before).filter((e) => e.outcome === "denied");
    assert.equal(denied.length, denials);
    assert.ok(await db.projectBySlug(w.db, "team-doomed"));
  });

  test("each role passes where it holds enough (the handler answers, whatever it says about the body)", async () => {
    const routes = protectedRoutes().sort((a, b) => (a.slug === "team-doomed") - (b.slug === "team-doomed"));
    let passes = 0;
    for (const email of Object.keys(walkers)) {
      for (const r of routes) {
        if (!allowed(email, r)) continue;
        const res = await call(email, r);
        const text = await res.text();
        const body = res.headers.get("content-type")?.startsWith("application/json") && text ? JSON.parse(text) : text;
        assert.ok(res.status !== 401 && !(res.status === 403 && ["forbidden", "csrf_failed"].includes(body?.error?.code)),
          `${email} ${r.method} ${r.url}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        assert.ok(res.status < 500, `${email} ${r.method} ${r.url}: ${res.status}`);
        passes++;
      }
    }
    assert.ok(passes > 100, `${passes} passes`);
  });

  test("every state-changing route the admins walked left an entry naming its action", async () => {
    const rows = await auditRows();
    for (const r of protectedRoutes()) {
      if (r.method === "GET" || !r.route.action) continue;
      const resource = r.route.action.split(".")[0];
      assert.ok(rows.some((e) => e.action.split(".")[0] === resource && e.outcome !== "denied" && e.actor_kind === "user"),
        `${r.method} ${r.path} (${r.route.action})`);
    }
    // A route a viewer may POST to only reads (previews, searches posted as JSON); every other
    // protected method changes something and names what.
    const unnamed = Object.entries(ROUTES).flatMap(([path, methods]) => Object.entries(methods)
      .filter(([m, r]) => ["responder", "admin", "signed_in"].includes(r.role) && m !== "GET" && typeof r.action !== "string")
      .map(([m]) => `${m} ${path}`));
    assert.deepEqual(unnamed, []);
  });

  test("a read key reads its own project only; the break-glass token is admin everywhere", async () => {
    const key = await (await w.admin("/api/admin/projects/team-b/keys", json({ method: "POST", body: { label: "reader", scopes: ["read"] } }))).json();
    assert.equal((await w.fetch("/api/logs?project=team-b", { headers: { "X-Project-Key": key.key } })).status, 200);
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: { "X-Project-Key": key.key } })).status, 403);
    assert.equal((await w.fetch("/api/admin/projects/team-b", { headers: { "X-Project-Key": key.key } })).status, 403);
    assert.equal((await w.admin("/api/admin/users")).status, 200);
  });
});

describe("personal API tokens", () => {
  let token, info;
  before(async () => {
    await invite("scripter@example.com", [{ project: "team-a", role: "admin" }, { project: "team-b", role: "viewer" }]);
  });

  test("created from a signed-in session, shown once, stored as a hash, listed with a hint", async () => {
    const res = await as("scripter@example.com", "/api/auth/tokens", json({ method: "POST", body: { label: "ci", scope: "respond", expires_in_days: 30 } }));
    assert.equal(res.status, 201);
    ({ token, token_info: info } = await res.json());
    assert.match(token, /^elp_[A-Za-z0-9]{43}$/);
    assert.equal(info.hint, `elp_…${token.slice(-4)}`);
    assert.ok(Math.abs(Date.parse(info.expires_at) - Date.now() - 30 * 86_400_000) < 60_000);
    const stored = await w.db.prepare("SELECT * FROM api_tokens WHERE id = ?1").bind(info.id).first();
    assert.equal(stored.token_hash, createHash("sha256").update(token).digest("hex"));
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(token));
    const listed = (await (await as("scripter@example.com", "/api/auth/tokens")).json()).tokens;
    assert.equal(listed.length, 1);
    assert.doesNotMatch(JSON.stringify(listed), new RegExp(token));
  });

  test("the scope caps the user's roles: respond resolves issues but cannot change settings; the last use shows", async () => {
    const bearer = { Authorization: `Bearer ${token}` };
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: bearer })).status, 200);
    const patch = await w.fetch("/api/admin/projects/team-a", { method: "PATCH", headers: bearer, body: '{"events_per_minute":5}' });
    assert.equal(patch.status, 403);
    const mute = await w.fetch("/api/admin/projects/team-a/alerts/999/mute", { method: "POST", headers: bearer, body: '{"minutes":60}' });
    assert.equal(mute.status, 404); // allowed: there is no such rule
    // team-b: the user is a viewer there, so the token is too.
    assert.equal((await w.fetch("/api/admin/projects/team-b/alerts/1/mute", { method: "POST", headers: bearer, body: '{"minutes":5}' })).status, 403);
    const listed = (await (await as("scripter@example.com", "/api/auth/tokens")).json()).tokens;
    assert.ok(Date.now() - Date.parse(listed[0].last_used_at) < 60_000);
    const used = (await auditRows()).filter((r) => r.actor_kind === "token");
    assert.ok(used.some((r) => r.outcome === "denied" && r.actor === "scripter@example.com"));
  });

  test("a token limited to projects reads only those; tokens cannot mint tokens", async () => {
    const res = await as("scripter@example.com", "/api/auth/tokens", json({ method: "POST", body: { label: "b only", scope: "read", projects: ["team-b"] } }));
    const { token: narrow } = await res.json();
    const bearer = { Authorization: `Bearer ${narrow}` };
    assert.equal((await w.fetch("/api/logs?project=team-b", { headers: bearer })).status, 200);
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: bearer })).status, 403);
    const minted = await w.fetch("/api/auth/tokens", { method: "POST", headers: bearer, body: '{"label":"x","scope":"read"}' });
    assert.equal(minted.status, 403);
    assert.equal((await minted.json()).error.code, "not_a_user");
    for (const [body, field] of [[{ label: "", scope: "read" }, "label"], [{ label: "x", scope: "root" }, "scope"],
      [{ label: "x", scope: "read", expires_in_days: 0 }, "expires_in_days"], [{ label: "x", scope: "read", projects: ["nope"] }, "projects"]]) {
      const bad = await as("scripter@example.com", "/api/auth/tokens", json({ method: "POST", body }));
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal((await bad.json()).field, field);
    }
  });

  test("revoked: refused at once; expired: refused; a disabled user's tokens die with them", async () => {
    assert.equal((await as("scripter@example.com", `/api/auth/tokens/${info.id}`, { method: "DELETE" })).status, 200);
    const res = await w.fetch("/api/logs?project=team-a", { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    const { token: soon, token_info: soonInfo } = await (await as("scripter@example.com", "/api/auth/tokens",
      json({ method: "POST", body: { label: "short", scope: "read" } }))).json();
    await w.db.prepare("UPDATE api_tokens SET expires_at = ?2 WHERE id = ?1").bind(soonInfo.id, Date.now() - 1).run();
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: { Authorization: `Bearer ${soon}` } })).status, 401);
    const { token: live } = await (await as("scripter@example.com", "/api/auth/tokens", json({ method: "POST", body: { label: "live", scope: "read" } }))).json();
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: { Authorization: `Bearer ${live}` } })).status, 200);
    const { users } = await (await w.admin("/api/admin/users")).json();
    const me = users.find((u) => u.email === "scripter@example.com");
    assert.equal((await w.admin(`/api/admin/users/${me.id}`, json({ method: "PATCH", body: { disabled: true } }))).status, 200);
    assert.equal((await w.fetch("/api/logs?project=team-a", { headers: { Authorization: `Bearer ${live}` } })).status, 401);
    const signIn = await as("scripter@example.com", "/api/auth/session");
    assert.equal(signIn.status, 401);
  });
});

describe("users", () => {
  test("invited by email with roles; duplicates and unknown projects refused; the last admin of everything stays", async () => {
    const u = await invite("Maria@Example.com", [{ project: "team-a", role: "responder" }]);
    assert.equal(u.email, "maria@example.com");
    assert.deepEqual(u.grants, [{ project: "team-a", role: "responder" }]);
    assert.equal(u.invited_by, "break-glass");
    const dup = await w.admin("/api/admin/users", json({ method: "POST", body: { email: "maria@example.com", grants: [] } }));
    assert.equal(dup.status, 409);
    const bad = await w.admin("/api/admin/users", json({ method: "POST", body: { email: "x@example.com", grants: [{ project: "nope", role: "viewer" }] } }));
    assert.equal((await bad.json()).field, "grants");
    const { users } = await (await w.admin("/api/admin/users")).json();
    const owner = users.find((x) => x.email === "owner@example.com");
    const other = users.find((x) => x.email === "global-admin@example.com");
    const first = await w.admin(`/api/admin/users/${other.id}`, json({ method: "PATCH", body: { grants: [{ project: "*", role: "viewer" }] } }));
    assert.equal(first.status, 200); // the owner is still an admin of everything
    assert.deepEqual((await first.json()).user.grants, [{ project: "*", role: "viewer" }]);
    const demote = await w.admin(`/api/admin/users/${owner.id}`, json({ method: "PATCH", body: { grants: [] } }));
    assert.equal(demote.status, 409);
    assert.equal((await demote.json()).error.code, "last_admin");
    // Maria signs in: her role is the invited one.
    assert.deepEqual((await (await as("maria@example.com", "/api/auth/session")).json()).roles, { "team-a": "responder" });
  });
});

describe("the audit log", () => {
  test("settings changes keep before → after; searches and exports are recorded with their query", async () => {
    assert.equal((await as("owner@example.com", "/api/admin/projects/team-b", json({ method: "PATCH", body: { events_per_minute: 321 } }))).status, 200);
    assert.equal((await as("owner@example.com", "/api/export?project=team-b&q=checkout")).status, 200);
    const { entries } = await (await w.admin("/api/admin/audit?action=project&actor=owner@example.com")).json();
    const update = entries.find((e) => e.action === "project.update" && e.project === "team-b");
    assert.deepEqual(update.detail.after, { events_per_minute: 321 });
    assert.equal(typeof update.detail.before.events_per_minute, "number");
    assert.equal(update.role, "admin");
    assert.ok(update.ip === null || typeof update.ip === "string");
    const exports = (await (await w.admin("/api/admin/audit?action=events.export")).json()).entries;
    assert.equal(exports[0].detail.query.q, "checkout");
    assert.equal(exports[0].project, "team-b");
  });

  test("filters, pages and exports (NDJSON, CSV); bad filters are 400s", async () => {
    const page = await (await w.admin("/api/admin/audit?limit=3")).json();
    assert.equal(page.entries.length, 3);
    const next = await (await w.admin(`/api/admin/audit?limit=3&before=${page.next_before}`)).json();
    assert.ok(next.entries[0].id < page.entries[2].id);
    const denied = (await (await w.admin("/api/admin/audit?outcome=denied&limit=1000")).json()).entries;
    assert.ok(denied.length > 0 && denied.every((e) => e.outcome === "denied"));
    const ndjson = await (await w.admin("/api/admin/audit/export?format=ndjson&outcome=denied")).text();
    assert.equal(ndjson.trim().split("\n").length, denied.length);
    const csv = await (await w.admin("/api/admin/audit/export?format=csv&action=sign_in")).text();
    assert.match(csv.split("\n")[0], /^id,at,actor,actor_kind,role,action,outcome/);
    for (const [query, field] of [["outcome=maybe", "outcome"], ["project=nope", "project"], ["limit=0", "limit"], ["from=yesterday", "from"]])
      assert.equal((await (await w.admin(`/api/admin/audit?${query}`)).json()).field, field, query);
  });

  test("append-only: no statement changes an entry, none younger than a year can be deleted; retention purges older ones", async () => {
    const [first] = await auditRows();
    await assert.rejects(w.db.prepare("UPDATE audit_log SET actor = 'someone else' WHERE id = ?1").bind(first.id).run(), /append-only/);
    await assert.rejects(w.db.prepare("DELETE FROM audit_log WHERE id = ?1").bind(first.id).run(), /keeps a year/);
    const old = Date.now() - 401 * 86_400_000; // past the default 400 days
    await w.db.prepare("INSERT INTO audit_log (at, actor, actor_kind, action, outcome) VALUES (?1, 'x', 'user', 'old', 'ok')").bind(old).run();
    const run = await (await w.admin("/api/admin/purge", { method: "POST" })).json();
    assert.equal(Object.values(run.jobs).find((j) => j?.audit_deleted !== undefined).audit_deleted, 1);
    assert.equal((await w.db.prepare("SELECT count(*) AS n FROM audit_log WHERE at = ?1").bind(old).first()).n, 0);
    assert.ok((await auditRows()).some((r) => r.id === first.id));
    // No route writes to it: the table's audit routes only read.
    assert.deepEqual(Object.keys(ROUTES["/api/admin/audit"]), ["GET"]);
    assert.deepEqual(Object.keys(ROUTES["/api/admin/audit/export"]), ["GET"]);
  });

  test("nothing secret is written: not the admin token, keys, secrets, tokens, destination URLs or JWTs", async () => {
    const key = await (await w.admin("/api/admin/projects/team-b/keys", json({ method: "POST", body: { label: "secretive" } }))).json();
    const hook = "https://discord.com/api/webhooks/123/very-secret-webhook-token";
    await w.admin("/api/admin/projects/team-b/alerts/destinations", json({ method: "POST", body: { kind: "discord", url: hook } }));
    const tracker = await w.admin("/api/admin/projects/team-b/tickets", json({ method: "PUT",
      body: { kind: "github", token: "ghp_trackerSecret0123456789", target: "acme/shop" } }));
    assert.equal(tracker.status, 200);
    const forwarder = await w.admin("/api/admin/projects/team-b/forwarders", json({ method: "POST",
      body: { kind: "elasticsearch", url: "https://es.example.com/", authorization: "ApiKey Zm9yd2FyZGVyLXNlY3JldA==", index: "logs" } }));
    assert.equal(forwarder.status, 201);
    const t = await (await as("owner@example.com", "/api/auth/tokens", json({ method: "POST", body: { label: "x", scope: "read" } }))).json();
    await w.fetch("/api/logs", { headers: { Authorization: "Bearer a-guessed-token" } });
    await w.fetch("/api/auth/login", { method: "POST", body: JSON.stringify({ token: "a-wrong-admin-token" }) });
    const jwt = idp.accessToken("owner@example.com");
    await w.fetch("/api/admin/projects", { headers: { "Cf-Access-Jwt-Assertion": jwt } });
    const all = JSON.stringify(await auditRows());
    for (const secret of [ADMIN_TOKEN, key.key, key.secret, "very-secret-webhook-token", t.token, "a-guessed-token", "a-wrong-admin-token",
      jwt.split(".")[2], "ghp_trackerSecret0123456789", "Zm9yd2FyZGVyLXNlY3JldA==", "es.example.com"])
      assert.ok(!all.includes(secret), `the audit log holds ${secret.slice(0, 12)}…`);
  });
});

test("a flood of failed sign-ins from one IP writes 20 entries a minute, not one per request", async () => {
  const ip = "198.51.100.7";
  for (let i = 0; i < 30; i++) {
    const res = await w.fetch("/api/logs", { headers: { Authorization: `Bearer guess-${i}`, "CF-Connecting-IP": ip } });
    assert.equal(res.status, 401);
  }
  const rows = (await auditRows()).filter((r) => r.ip === ip);
  assert.equal(rows.length, 20);
  assert.ok(rows.every((r) => r.action === "sign_in.failed" && !r.detail.includes("guess-")));
});

describe("break-glass", () => {
  test("its use is audited; turned off (BREAK_GLASS=off) it is refused everywhere", async () => {
    const entries = (await (await w.admin("/api/admin/audit?actor=break-glass&limit=5")).json()).entries;
    assert.ok(entries.length > 0 && entries.every((e) => e.actor_kind === "break_glass"));
    const off = await startWorker({ bindings: { BREAK_GLASS: "off" } });
    try {
      assert.equal((await off.admin("/api/admin/projects")).status, 401);
      const login = await off.fetch("/api/auth/login", { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
      assert.equal(login.status, 403);
      assert.equal((await login.json()).error.code, "break_glass_off");
      const s = await (await off.fetch("/api/auth/session")).json();
      assert.deepEqual(s.providers, { access: false, oidc: false, break_glass: false });
    } finally {
      await off.dispose();
    }
  });
});

test("a key published without kid or with another algorithm is not used", async () => {
  const local = await startIdp();
  const k = signingKey("RS256", "kid-1");
  local.keys = [{ ...k, jwk: { ...k.jwk, alg: "ES256" } }];
  local.key = k;
  const wk = await startWorker({ bindings: { ACCESS_TEAM_DOMAIN: local.origin, ACCESS_AUD: local.aud } });
  try {
    const res = await wk.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": local.accessToken("a@example.com") } });
    assert.equal(res.status, 401);
    const unsigned = signJwt(k, { email: "a@example.com" }, { kid: undefined });
    assert.equal((await wk.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": unsigned } })).status, 401);
  } finally {
    await wk.dispose();
    await local.close();
  }
});

describe("OIDC sign-in (authorization code flow with PKCE)", () => {
  let ow, op;
  before(async () => {
    op = await startIdp();
    ow = await startWorker({ bindings: { OIDC_ISSUER: op.origin, OIDC_CLIENT_ID: op.clientId, OIDC_CLIENT_SECRET: op.clientSecret,
      OWNER_EMAIL: "boss@example.com" } });
  });
  after(async () => {
    await ow?.dispose();
    await op?.close();
  });

  /** start → the provider → the callback, as a browser follows the redirects: the callback's answer. */
  async function signInAs(email, { returnTo = "/#/issues", tamper = (u) => u } = {}) {
    const start = await ow.fetch(`/api/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`, { redirect: "manual" });
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get("location"));
    assert.equal(authorize.origin, op.origin);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    authorize.searchParams.set("login_hint", email);
    const back = await fetch(authorize, { redirect: "manual" });
    assert.equal(back.status, 302);
    const callback = new URL(tamper(back.headers.get("location")));
    return ow.fetch(callback.pathname + callback.search, { redirect: "manual" });
  }

  test("signs a user in: session cookie, the return path, roles; the owner is admin, the provider checked the verifier", async () => {
    const res = await signInAs("Boss@Example.com");
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/#/issues");
    const cookie = res.headers.get("set-cookie").split(";")[0];
    assert.match(res.headers.get("set-cookie"), /HttpOnly; Secure; SameSite=Strict/);
    const s = await (await ow.fetch("/api/auth/session", { headers: { Cookie: cookie } })).json();
    assert.equal(s.via, "session");
    assert.equal(s.user.email, "boss@example.com");
    assert.deepEqual(s.roles, { "*": "admin" });
    assert.deepEqual(s.providers, { access: false, oidc: true, break_glass: true });
    const exchange = op.tokenRequests.at(-1);
    assert.equal(exchange.grant_type, "authorization_code");
    assert.match(exchange.code_verifier, /^[A-Za-z0-9_-]{43}$/);
    // A viewer signs in too, and reads only what they were granted.
    await ow.createProject("oidc-a");
    await ow.createProject("oidc-b");
    assert.equal((await ow.admin("/api/admin/users", json({ method: "POST", body: { email: "val@example.com", grants: [{ project: "oidc-a", role: "viewer" }] } }))).status, 201);
    const viewer = (await signInAs("val@example.com")).headers.get("set-cookie").split(";")[0];
    const projects = (await (await ow.fetch("/api/admin/projects", { headers: { Cookie: viewer } })).json()).projects;
    assert.deepEqual(projects.map((p) => p.slug), ["oidc-a"]);
    const { csrf_token: token } = await (await ow.fetch("/api/auth/session", { headers: { Cookie: viewer } })).json();
    const patch = await ow.fetch("/api/admin/projects/oidc-a", { method: "PATCH", headers: { Cookie: viewer, "X-CSRF-Token": token }, body: "{}" });
    assert.equal(patch.status, 403);
  });

  test("a replayed or unknown state, a wrong nonce, a provider error and a foreign return path are handled", async () => {
    const first = await ow.fetch("/api/auth/oidc/start", { redirect: "manual" });
    const authorize = new URL(first.headers.get("location"));
    authorize.searchParams.set("login_hint", "boss@example.com");
    const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location"));
    assert.equal((await ow.fetch(back.pathname + back.search, { redirect: "manual" })).headers.get("location"), "/");
    const replay = await ow.fetch(back.pathname + back.search, { redirect: "manual" });
    assert.equal(replay.headers.get("location"), "/?sign_in_error=unknown_state");
    assert.equal(replay.headers.get("set-cookie"), null);
    op.nonceOverride = "someone-elses-nonce";
    try {
      const res = await signInAs("boss@example.com");
      assert.equal(res.headers.get("location"), "/?sign_in_error=wrong_nonce");
    } finally {
      op.nonceOverride = null;
    }
    const denied = await signInAs("boss@example.com", { tamper: (u) => u.replace(/code=[^&]+/, "error=access_denied") });
    assert.equal(denied.headers.get("location"), "/?sign_in_error=provider_refused");
    const foreign = await signInAs("boss@example.com", { returnTo: "//evil.example/x" });
    assert.equal(foreign.headers.get("location"), "/");
    const failures = (await ow.db.prepare("SELECT detail FROM audit_log WHERE action = 'sign_in.failed'").all()).results.map((r) => JSON.parse(r.detail).reason);
    assert.ok(failures.some((r) => r.startsWith("unknown_state")) && failures.some((r) => r.startsWith("wrong_nonce")));
  });
});
