// /api/admin/projects: projects and their keys. Keys are answered in full once, at creation or
// rotation; afterwards only their prefix and metadata.
import * as db from "./db/index.js";
import { core } from "./core.js";
import { forgetKeys, newCredentials, sha256Hex } from "./auth.js";
import { error, json, readJsonObject } from "./http.js";
import { canSeal, seal } from "./secrets.js";

const SLUG = /^[a-z0-9-]{1,64}$/;
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const SCOPES = ["ingest", "read"];
const DELETE_CHUNK = 5000;
const DELETE_BUDGET_MS = 5000;

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const intIn = (lo, hi) => (v) => Number.isInteger(v) && v >= lo && v <= hi;

/** Settings an operator may set: each validator says whether a value is acceptable. */
const SETTINGS = {
  name: (v) => typeof v === "string" && v.length >= 1 && v.length <= 200,
  retention_hours: intIn(1, 24 * 90),
  retention_overrides: (v) => isObject(v) && Object.entries(v).every(([l, h]) => LEVELS.includes(l) && intIn(1, 24 * 90)(h)),
  max_body_bytes: intIn(1024, 512 * 1024),
  max_events_per_request: intIn(1, 1000),
  events_per_minute: intIn(0, 10_000_000),
  ip_requests_per_minute: intIn(0, 1_000_000),
  unsigned_ip_requests_per_minute: intIn(0, 1_000_000),
  require_timestamp: (v) => typeof v === "boolean",
  scrubbing: (v) => isObject(v) && Object.entries(v).every(([k, x]) =>
    (["enabled", "hash", "mask_emails", "mask_ips"].includes(k) && typeof x === "boolean") ||
    (["extra_keys", "allow_keys", "patterns"].includes(k) && Array.isArray(x) && x.length <= 100 &&
      x.every((e) => typeof e === "string" && e.length >= 1 && e.length <= 200))),
  digests: (v) => isObject(v) && Object.entries(v).every(([k, x]) =>
    (["daily", "weekly"].includes(k) && typeof x === "boolean") || (k === "hour_utc" && intIn(0, 23)(x))),
  fingerprint_rules: (v) => typeof v === "string" && v.length <= 20_000,
  page_rules: (v) => typeof v === "string" && v.length <= 20_000,
  client_config: (v) => isObject(v) && (v.sample_rates === undefined || (isObject(v.sample_rates) &&
    Object.entries(v.sample_rates).every(([l, r]) => LEVELS.includes(l) && typeof r === "number" && r >= 0 && r <= 1))) &&
    (v.batch_size === undefined || intIn(1, 1000)(v.batch_size)) &&
    (v.flush_interval_ms === undefined || intIn(100, 600_000)(v.flush_interval_ms)),
};
const JSON_SETTINGS = new Set(["retention_overrides", "scrubbing", "client_config", "digests"]);
const RULE_SETTINGS = new Set(["fingerprint_rules", "page_rules"]);

/** A project as the API shows it: JSON settings decoded, booleans as booleans. */
export function presentProject(row) {
  const out = { ...row, require_timestamp: row.require_timestamp === 1 };
  for (const name of JSON_SETTINGS) out[name] = JSON.parse(row[name]);
  return out;
}

/** Validated setting changes from `input`, or the 400 to answer. */
function settingsFrom(input, skip = []) {
  const changes = {};
  for (const [field, value] of Object.entries(input)) {
    if (skip.includes(field)) continue;
    if (!(field in SETTINGS)) return { response: error(400, "bad_request", `unknown setting "${field}"`, { field }) };
    if (!SETTINGS[field](value)) return { response: error(400, "bad_request", `invalid value for ${field}`, { field }) };
    if (RULE_SETTINGS.has(field)) {
      // The core reads rules at every ingest and would skip a bad line: refuse it here instead.
      const problems = core.checkRules(value);
      if (problems.length)
        return { response: error(400, "bad_request", `${field}: ${problems[0]}`, { field, problems }) };
    }
    changes[field] = typeof value === "boolean" ? Number(value) : JSON_SETTINGS.has(field) ? JSON.stringify(value) : value;
  }
  return { changes };
}

/** The project an admin route names: {project} or {response} (404). */
export async function projectOr404(env, slug) {
  const project = await db.projectBySlug(env.DB, slug);
  return project ? { project } : { response: error(404, "not_found", `no project "${slug}"`) };
}

/** Drops every cached view of a project: its keys' lookups carry its settings. */
async function forgetProject(env, projectId) {
  await forgetKeys(env, await db.keyHashesOfProject(env.DB, projectId));
}

function validKeyInput(input) {
  const scopes = input.scopes ?? ["ingest"];
  if (!Array.isArray(scopes) || !scopes.length || !scopes.every((s) => SCOPES.includes(s)))
    return { response: error(400, "bad_request", "scopes must be a non-empty list of ingest, read", { field: "scopes" }) };
  const label = input.label ?? null;
  if (label !== null && (typeof label !== "string" || label.length > 100))
    return { response: error(400, "bad_request", "label must be a string of at most 100 characters", { field: "label" }) };
  const expires = parseExpiry(input.expires_at, "expires_at");
  if (expires.response) return expires;
  const signed = input.signed ?? true;
  if (typeof signed !== "boolean")
    return { response: error(400, "bad_request", "signed must be true or false", { field: "signed" }) };
  // An unsigned key is public (it ships in DSNs and browser bundles): it may only ingest.
  if (!signed && scopes.some((s) => s !== "ingest"))
    return { response: error(400, "bad_request", "an unsigned key may only have the ingest scope", { field: "scopes" }) };
  const origins = input.allowed_origins ?? [];
  if (!Array.isArray(origins) || origins.length > 50 || !origins.every(isOrigin))
    return { response: error(400, "bad_request",
      "allowed_origins must be a list of origins such as https://app.example.com", { field: "allowed_origins" }) };
  if (signed && origins.length)
    return { response: error(400, "bad_request", "allowed_origins is for unsigned keys (a browser cannot keep a secret)",
      { field: "allowed_origins" }) };
  return { scopes: [...new Set(scopes)].join(","), label, expiresAt: expires.value, signed, allowedOrigins: origins };
}

// "https://app.example.com" or "http://localhost:3000": a scheme, a host, an optional port.
const isOrigin = (o) => typeof o === "string" && /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o);

function parseExpiry(value, field) {
  if (value === undefined || value === null) return { value: value === null ? null : undefined };
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms <= Date.now())
    return { response: error(400, "bad_request", `${field} must be a future RFC 3339 time`, { field }) };
  return { value: ms };
}

async function newKey(env, { scopes, label, expiresAt, signed = true, allowedOrigins = [] }) {
  const { key, secret } = newCredentials();
  return {
    key, secret: signed ? secret : null,
    record: { prefix: key.slice(0, 12), hash: await sha256Hex(key), secretEnc: signed ? await seal(env, secret) : "",
      scopes, label, createdAt: Date.now(), expiresAt: expiresAt ?? null, signed, allowedOrigins },
  };
}

/** The DSN a Sentry SDK is configured with: http(s)://<key>@<host>/<numeric project id>. */
export function dsnOf(request, env, key, projectId) {
  const base = new URL(env.EDGELOG_PUBLIC_URL || request.url);
  return `${base.protocol}//${key}@${base.host}/${projectId}`;
}

export function presentKey(row, now = Date.now()) {
  const status = row.revoked_at !== null ? "revoked"
    : row.expires_at !== null && row.expires_at <= now ? "expired"
    : row.rotating ? "rotating" : "active";
  const time = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    id: row.id, label: row.label, prefix: row.prefix, scopes: row.scopes.split(","), status,
    signed: row.signed !== 0, allowed_origins: JSON.parse(row.allowed_origins ?? "[]"),
    created_at: time(row.created_at), last_used_at: time(row.last_used_at), use_count: row.use_count,
    expires_at: time(row.expires_at), revoked_at: time(row.revoked_at),
    previous_secret_expires_at: row.rotating ? time(row.previous_expires_at) : null,
  };
}

const notConfigured = () => error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before creating keys");

// ---- projects ------------------------------------------------------------------------------

export async function createProject(request, env) {
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const { slug, name = slug } = input;
  if (typeof slug !== "string" || !SLUG.test(slug))
    return error(400, "bad_request", "slug must match ^[a-z0-9-]{1,64}$", { field: "slug" });
  const settings = settingsFrom({ ...input, name }, ["slug"]);
  if (settings.response) return settings.response;
  if (!(await canSeal(env))) return notConfigured();

  const { key, secret, record } = await newKey(env, { scopes: "ingest", label: "default" });
  try {
    const created = await db.insertProjectWithKey(env.DB, { slug, name, createdAt: record.createdAt, key: record });
    await db.updateProject(env.DB, created.id, settings.changes);
    const project = await db.projectBySlug(env.DB, slug);
    const [row] = await db.keysOfProject(env.DB, project.id);
    return json(201, { project: presentProject(project), ...newKeyAnswer(row, key, { secret }) });
  } catch (err) {
    if (/UNIQUE constraint failed: projects\.slug/.test(String(err?.message)))
      return error(409, "conflict", `a project with slug "${slug}" exists`, { field: "slug" });
    throw err;
  }
}

/** GET /api/admin/projects: every project with its activity: events accepted in the last hour
 *  and when its newest event happened (a silent project stands out). */
export async function listProjects(_request, env) {
  const now = Date.now();
  const [projects, activity] = await Promise.all([db.listProjects(env.DB), db.projectActivity(env.DB, now - 3_600_000)]);
  return json(200, { projects: projects.map((p) => {
    const a = activity.get(p.id) ?? { events_last_hour: 0, last_event_at: null };
    return { ...presentProject(p), events_last_hour: a.events_last_hour,
      last_event_at: a.last_event_at === null ? null : new Date(a.last_event_at).toISOString() };
  }) });
}

export async function getProject(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  return response ?? json(200, { project: presentProject(project) });
}

export async function updateProject(request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const settings = settingsFrom(input);
  if (settings.response) return settings.response;
  await db.updateProject(env.DB, found.project.id, settings.changes);
  await forgetProject(env, found.project.id); // cached key lookups carry the project's limits
  return json(200, { project: presentProject(await db.projectBySlug(env.DB, slug)) });
}

/** Deletes a project: its keys stop at once; its logs go in chunks, finished by maintenance when
 *  one request's budget is not enough. */
export async function deleteProject(_request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  const { id } = found.project;
  await forgetProject(env, id);
  await db.markProjectDeleted(env.DB, id, Date.now());
  const done = await finishDeletion(env, id, Date.now() + DELETE_BUDGET_MS);
  return json(done ? 200 : 202, { deleted: slug, complete: done });
}

/** Deletes a deleted project's logs until none remain or the deadline passes, then the rest. */
export async function finishDeletion(env, projectId, deadline) {
  while (Date.now() < deadline) {
    if ((await db.deleteProjectLogsChunk(env.DB, projectId, DELETE_CHUNK)) < DELETE_CHUNK) {
      await db.finishProjectDeletion(env.DB, projectId);
      return true;
    }
  }
  return false;
}

// ---- keys ----------------------------------------------------------------------------------

export async function listKeys(_request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  return json(200, { keys: (await db.keysOfProject(env.DB, found.project.id)).map((k) => presentKey(k)) });
}

export async function createKey(request, env, _ctx, { slug }) {
  const found = await projectOr404(env, slug);
  if (found.response) return found.response;
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const valid = validKeyInput(input);
  if (valid.response) return valid.response;
  if (!(await canSeal(env))) return notConfigured();
  const { key, secret, record } = await newKey(env, valid);
  const { id } = await db.insertKey(env.DB, found.project.id, record);
  const row = await db.keyOfProject(env.DB, found.project.id, id);
  return json(201, newKeyAnswer(row, key,
    valid.signed ? { secret } : { dsn: dsnOf(request, env, key, found.project.id) }));
}

/** The one answer to a created key, from POST …/projects and POST …/keys alike: `key` (the
 *  X-Project-Key value), `key_info` (the key as GET …/keys lists it), `secret` (signed keys) or
 *  `dsn` (unsigned ones). `secret_key` repeats `key` for clients of 0.x's POST …/keys, whose `key`
 *  was the object: deprecated, to go in the next release. */
function newKeyAnswer(row, key, extra) {
  return { key, key_info: presentKey(row), ...extra, secret_key: key };
}

/** The answer about an existing key (rotate, revoke, update): `key_info`; `key` repeats it for
 *  0.x clients (deprecated, to go in the next release, after which `key` is only ever the string). */
function keyAnswer(row) {
  const info = presentKey(row);
  return { key_info: info, key: info };
}

async function keyOr404(env, slug, id) {
  const found = await projectOr404(env, slug);
  if (found.response) return found;
  const row = /^\d+$/.test(id) ? await db.keyOfProject(env.DB, found.project.id, Number(id)) : null;
  return row ? { project: found.project, row } : { response: error(404, "not_found", `no key ${id} in "${slug}"`) };
}

/** A new secret for the key; the old one verifies until `previous_valid_until` (or until
 *  POST …/revoke-previous when none is given). */
export async function rotateKey(request, env, _ctx, { slug, id }) {
  const found = await keyOr404(env, slug, id);
  if (found.response) return found.response;
  if (found.row.revoked_at !== null) return error(409, "conflict", "the key is revoked");
  if (found.row.signed === 0) return error(409, "conflict", "an unsigned key has no secret to rotate");
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const until = parseExpiry(input.previous_valid_until, "previous_valid_until");
  if (until.response) return until.response;
  if (!(await canSeal(env))) return notConfigured();
  const secret = newCredentials().secret;
  await db.rotateKeySecret(env.DB, found.row.id, { secretEnc: await seal(env, secret), previousExpiresAt: until.value ?? null });
  await forgetKeys(env, [found.row.key_hash]);
  return json(200, { ...keyAnswer(await db.keyOfProject(env.DB, found.project.id, found.row.id)), secret });
}

export async function revokePreviousSecret(_request, env, _ctx, { slug, id }) {
  const found = await keyOr404(env, slug, id);
  if (found.response) return found.response;
  await db.dropPreviousSecret(env.DB, found.row.id);
  await forgetKeys(env, [found.row.key_hash]);
  return json(200, keyAnswer(await db.keyOfProject(env.DB, found.project.id, found.row.id)));
}

export async function revokeKey(_request, env, _ctx, { slug, id }) {
  const found = await keyOr404(env, slug, id);
  if (found.response) return found.response;
  await db.revokeKey(env.DB, found.row.id, Date.now());
  await forgetKeys(env, [found.row.key_hash]);
  return json(200, keyAnswer(await db.keyOfProject(env.DB, found.project.id, found.row.id)));
}

/** PATCH a key's label or expiry ({"expires_at": null} clears it). */
export async function updateKey(request, env, _ctx, { slug, id }) {
  const found = await keyOr404(env, slug, id);
  if (found.response) return found.response;
  const { value: input, response } = await readJsonObject(request);
  if (response) return response;
  const unknown = Object.keys(input).find((k) => k !== "label" && k !== "expires_at");
  if (unknown) return error(400, "bad_request", `unknown field "${unknown}"`, { field: unknown });
  const valid = validKeyInput({ scopes: found.row.scopes.split(","), ...input });
  if (valid.response) return valid.response;
  await db.updateKey(env.DB, found.row.id, { label: input.label, expiresAt: valid.expiresAt });
  await forgetKeys(env, [found.row.key_hash]);
  return json(200, keyAnswer(await db.keyOfProject(env.DB, found.project.id, found.row.id)));
}
