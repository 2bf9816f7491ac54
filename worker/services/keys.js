// Keys: new credentials sealed for storage, and how the API shows a key. Keys are answered in full
// once, at creation or rotation; afterwards only their prefix and metadata.
import { newCredentials, sha256Hex } from "../platform/crypto.js";
import { error } from "../platform/http.js";
import { seal } from "../platform/secrets.js";

/** The 503 when keys cannot be sealed: no EDGELOG_MASTER_KEY. */
export const masterKeyMissing = () => error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before creating keys");

/** A new key and its record to store: {key, secret (signed keys), record}. */
export async function newKey(env, { scopes, label, expiresAt, signed = true, allowedOrigins = [] }) {
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

/** The one answer to a created key, from POST …/projects and POST …/keys alike: `key` (the
 *  X-Project-Key value), `key_info` (the key as GET …/keys lists it), `secret` (signed keys) or
 *  `dsn` (unsigned ones). `secret_key` repeats `key` for clients of 0.x's POST …/keys, whose `key`
 *  was the object: deprecated, to go in the next release. */
export function newKeyAnswer(row, key, extra) {
  return { key, key_info: presentKey(row), ...extra, secret_key: key };
}

