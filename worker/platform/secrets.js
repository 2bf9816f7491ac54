// HMAC secrets at rest: AES-256-GCM under EDGELOG_MASTER_KEY (32 bytes, base64 or hex).
// A database dump alone does not reveal them.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let cached = { text: null, key: null };

function decodeKey(text) {
  const clean = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(clean)
    ? Uint8Array.from(clean.match(/../g), (h) => parseInt(h, 16))
    : Uint8Array.from(atob(clean.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  if (bytes.length !== 32) throw new Error("EDGELOG_MASTER_KEY must be 32 bytes (base64 or hex)");
  return bytes;
}

async function masterKey(env) {
  const text = env.EDGELOG_MASTER_KEY;
  if (!text) return null;
  if (cached.text !== text) {
    const key = await crypto.subtle.importKey("raw", decodeKey(text), "AES-GCM", false, ["encrypt", "decrypt"]);
    cached = { text, key };
  }
  return cached.key;
}

/** True when secrets can be stored: the master key is configured. */
export async function canSeal(env) {
  return (await masterKey(env)) !== null;
}

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** "v1.<iv>.<ciphertext>", both base64. */
export async function seal(env, secret) {
  const key = await masterKey(env);
  if (!key) throw new Error("EDGELOG_MASTER_KEY is not set");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(secret)));
  return `v1.${b64(iv)}.${b64(data)}`;
}

export async function unseal(env, sealed) {
  const key = await masterKey(env);
  const [version, iv, data] = sealed.split(".");
  if (!key || version !== "v1") throw new Error("cannot unseal a secret");
  return decoder.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv) }, key, unb64(data)));
}

/** A URL shown without its secret parts: "https://discord.com/…abcd" (scheme, host and the last
 *  `tail` characters), or with `tail` 0 "https://host/…": enough to recognise, never the path. */
export function urlHint(url, { tail = 4 } = {}) {
  const u = new URL(url);
  if (!tail) return `${u.protocol}//${u.host}${u.pathname.length > 1 ? "/…" : ""}`;
  return `${u.protocol}//${u.host}/…${url.slice(-tail)}`;
}
