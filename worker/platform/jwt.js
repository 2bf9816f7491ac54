// JSON Web Tokens signed by an identity provider (Cloudflare Access, OIDC): RS256 and ES256 only,
// verified with the platform's WebCrypto against the issuer's JWKS, which is fetched, cached per
// isolate and fetched again when a token names a key it does not hold (the issuer rotated).
// Nothing here is hand-rolled crypto: parsing, claim checks and key selection only.

const ALGORITHMS = {
  RS256: { kty: "RSA", importAs: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verifyAs: { name: "RSASSA-PKCS1-v1_5" } },
  ES256: { kty: "EC", importAs: { name: "ECDSA", namedCurve: "P-256" }, verifyAs: { name: "ECDSA", hash: "SHA-256" } },
};
const JWKS_FRESH_MS = 3_600_000; // a key set is used for an hour
const JWKS_REFETCH_MS = 30_000; // unknown kids fetch the set again at most this often
const SKEW_S = 60;

/** A token refused: `code` is stable (invalid_token, expired_token, wrong_audience, …). */
export class JwtError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const decoder = new TextDecoder();
export const b64urlBytes = (text) => {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new JwtError("invalid_token", "the token is not base64url");
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
};
const jsonPart = (text) => {
  try {
    const value = JSON.parse(decoder.decode(b64urlBytes(text)));
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch (err) {
    if (err instanceof JwtError) throw err;
  }
  throw new JwtError("invalid_token", "the token's header or claims are not a JSON object");
};

/** The token's parts, unverified: {header, claims, signed (bytes), signature (bytes)}. */
export function decodeJwt(token) {
  if (typeof token !== "string" || token.length > 16_384) throw new JwtError("invalid_token", "the token is missing or too long");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1]) throw new JwtError("invalid_token", "a token has three dot-separated parts");
  return { header: jsonPart(parts[0]), claims: jsonPart(parts[1]),
    signed: new TextEncoder().encode(`${parts[0]}.${parts[1]}`), signature: b64urlBytes(parts[2]) };
}

// jwks_uri → {keys: Map(kid → {jwk, key?}), fetchedAt, tried}
const keySets = new Map();

async function fetchKeySet(url, fetcher) {
  const res = await fetcher(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new JwtError("jwks_unavailable", `the issuer's keys answered HTTP ${res.status}`);
  const body = await res.json().catch(() => null);
  if (!Array.isArray(body?.keys)) throw new JwtError("jwks_unavailable", "the issuer's keys are not a JWKS");
  return new Map(body.keys.filter((k) => typeof k?.kid === "string").map((k) => [k.kid, { jwk: k }]));
}

/** The key `kid` of the set at `url`, fetched again when unknown (rotation) or stale. */
async function keyFor(url, kid, alg, now, fetcher) {
  let set = keySets.get(url);
  const stale = !set || now - set.fetchedAt >= JWKS_FRESH_MS;
  const unknown = set && !set.keys.has(kid) && now - set.tried >= JWKS_REFETCH_MS;
  if (stale || unknown) {
    // `tried` marks fetches an unknown kid caused: tokens naming made-up kids cost one fetch per 30 s.
    const tried = unknown ? now : set?.tried ?? 0;
    try {
      set = { keys: await fetchKeySet(url, fetcher), fetchedAt: now, tried };
      keySets.set(url, set);
    } catch (err) {
      if (!set) throw err;
      set.tried = now; // the old set stands in while the issuer cannot be reached
    }
  }
  const entry = set.keys.get(kid);
  if (!entry) throw new JwtError("unknown_key", "the token is signed with a key the issuer does not publish");
  const spec = ALGORITHMS[alg];
  const { jwk } = entry;
  if (jwk.kty !== spec.kty || (jwk.alg && jwk.alg !== alg) || (jwk.use && jwk.use !== "sig"))
    throw new JwtError("invalid_token", "the token's algorithm does not match its key");
  entry.key ??= await importJwk(jwk, alg);
  return entry.key;
}

async function importJwk(jwk, alg) {
  try {
    return await crypto.subtle.importKey("jwk", { kty: jwk.kty, n: jwk.n, e: jwk.e, crv: jwk.crv, x: jwk.x, y: jwk.y },
      ALGORITHMS[alg].importAs, false, ["verify"]);
  } catch {
    throw new JwtError("invalid_token", "the issuer's key could not be read");
  }
}

/** Whether a compact JWS's signature holds under this public JWK (RS256 or ES256, by its header):
 *  the signature alone, no claims (verifyJwt checks those). */
export async function signatureHolds(token, jwk) {
  const { header, signed, signature } = decodeJwt(token);
  const spec = ALGORITHMS[header.alg];
  if (!spec || jwk.kty !== spec.kty) return false;
  return crypto.subtle.verify(spec.verifyAs, await importJwk(jwk, header.alg), signature, signed);
}

/** Forgets every cached key set (tests; a deployment that changed its issuer). */
export function forgetKeySets() {
  keySets.clear();
}

const audiences = (aud) => (Array.isArray(aud) ? aud : [aud]);

/** The claims of a token whose signature, issuer, audience and times hold; JwtError otherwise.
 *  {jwksUrl, issuer, audience, now (ms), fetcher} */
export async function verifyJwt(token, { jwksUrl, issuer, audience, now, fetcher = fetch }) {
  const { header, claims, signed, signature } = decodeJwt(token);
  const spec = ALGORITHMS[header.alg];
  if (!spec) throw new JwtError("invalid_token", `tokens signed with ${JSON.stringify(header.alg ?? null)} are refused (RS256 or ES256)`);
  if (typeof header.kid !== "string") throw new JwtError("invalid_token", "the token names no key (kid)");
  const key = await keyFor(jwksUrl, header.kid, header.alg, now, fetcher);
  if (!(await crypto.subtle.verify(spec.verifyAs, key, signature, signed)))
    throw new JwtError("invalid_token", "the token's signature does not hold");
  const seconds = now / 1000;
  if (claims.iss !== issuer) throw new JwtError("wrong_issuer", "the token was issued by someone else");
  if (!audiences(claims.aud).includes(audience)) throw new JwtError("wrong_audience", "the token is for another application");
  if (typeof claims.exp !== "number" || claims.exp + SKEW_S <= seconds) throw new JwtError("expired_token", "the token has expired");
  if (typeof claims.nbf === "number" && claims.nbf - SKEW_S > seconds) throw new JwtError("invalid_token", "the token is not valid yet");
  if (typeof claims.iat === "number" && claims.iat - SKEW_S > seconds) throw new JwtError("invalid_token", "the token was issued in the future");
  return claims;
}
