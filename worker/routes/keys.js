// /api/admin/projects/:slug/keys: a project's keys — create, list, rotate, revoke, relabel.
import { noteChange } from "../services/audit.js";
import * as db from "../db/index.js";
import { newCredentials } from "../platform/crypto.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { canSeal, seal } from "../platform/secrets.js";
import { forgetKeys } from "../services/credentials.js";
import { dsnOf, masterKeyMissing, newKey, newKeyAnswer, presentKey } from "../services/keys.js";
import { projectOr404 } from "../services/projects.js";

const SCOPES = ["ingest", "read"];
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

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
  if (!(await canSeal(env))) return masterKeyMissing();
  const { key, secret, record } = await newKey(env, valid);
  const { id } = await db.insertKey(env.DB, found.project.id, record);
  const row = await db.keyOfProject(env.DB, found.project.id, id);
  const { label, scopes, signed, allowed_origins, expires_at } = presentKey(row);
  noteChange(request, { projectId: found.project.id, object: `key ${id}`, after: { label, scopes, signed, allowed_origins, expires_at } });
  return json(201, newKeyAnswer(row, key,
    valid.signed ? { secret } : { dsn: dsnOf(request, env, key, found.project.id) }));
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
  if (!(await canSeal(env))) return masterKeyMissing();
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
