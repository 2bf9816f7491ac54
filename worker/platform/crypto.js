// Crypto helpers on the platform's WebCrypto (native code, far faster than SHA-256 in wasm):
// digests, constant-time comparison, new credentials, and the HMAC-SHA256 of a request's body
// under its project's secrets. For signatures the core still decides: it parses X-Signature,
// applies the project's policy (timestamp form, tolerance) and compares in constant time.
const encoder = new TextEncoder();
const keys = new Map(); // secret → CryptoKey, per isolate
const MAX_KEYS = 1000;

async function keyFor(secret) {
  let key = keys.get(secret);
  if (!key) {
    key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value);
    keys.set(secret, key);
  }
  return key;
}

/** Bytes as base64url without padding (JWTs, cookies, PKCE). */
export const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** {body, stamped_t, stamped}: hex MACs of `wire` per secret, and of "<t>.<wire>" when the
 *  header carries a `t=` (the core checks that it is the one it parses). */
export async function bodyMacs(secrets, header, wire) {
  const ks = await Promise.all(secrets.map(keyFor));
  const body = await Promise.all(ks.map((k) => crypto.subtle.sign("HMAC", k, wire)));
  const t = /(?:^|,)\s*t=(\d{1,15})\s*(?:,|$)/.exec(header)?.[1] ?? "";
  let stamped = [];
  if (t) {
    const prefix = encoder.encode(`${t}.`);
    const message = new Uint8Array(prefix.length + wire.length);
    message.set(prefix);
    message.set(wire, prefix.length);
    stamped = await Promise.all(ks.map((k) => crypto.subtle.sign("HMAC", k, message)));
  }
  return { body: body.map(hex), stamped_t: t, stamped: stamped.map(hex) };
}

/** SHA-256 (hex) of a string or of bytes. */
export async function sha256Hex(data) {
  const digest = await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time string comparison: both sides are hashed first, so lengths never leak. */
export async function sameSecret(a, b) {
  const [da, dbuf] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, dbuf);
}

const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/** 43 base-62 characters (256 random bits): the body of keys and personal tokens. */
export function randomBase62() {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let n = BigInt(`0x${hex(randomBytes(32))}`), body = "";
  for (let i = 0; i < 43; i++, n /= 62n) body += alphabet[Number(n % 62n)];
  return body;
}

/** A new key and HMAC secret. Keys use only [A-Za-z0-9_] (Sentry's DSN parser refuses '-'):
 *  "elk_" and 43 base-62 characters (256 bits). */
export function newCredentials() {
  return { key: `elk_${randomBase62()}`, secret: hex(randomBytes(32)) };
}

const fromHex = (text) => (/^(?:[0-9a-f]{2})+$/i.test(text) ? Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16)) : null);
const ed25519Keys = new Map(); // public key hex → CryptoKey

/** An Ed25519 signature (hex) over `message` (a string) by the public key (32 bytes, hex), checked
 *  with the platform's WebCrypto (Discord signs its interactions this way). */
export async function verifyEd25519(publicKeyHex, signatureHex, message) {
  const raw = fromHex(publicKeyHex ?? "");
  const signature = fromHex(signatureHex ?? "");
  if (!raw || raw.length !== 32 || !signature || signature.length !== 64) return false;
  let key = ed25519Keys.get(publicKeyHex);
  if (!key) {
    key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    ed25519Keys.set(publicKeyHex, key);
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, encoder.encode(message));
}

/** The hex HMAC-SHA256 of `message` under `secret` (Slack signs its requests this way). */
export async function hmacHex(secret, message) {
  return hex(await crypto.subtle.sign("HMAC", await keyFor(secret), encoder.encode(message)));
}

