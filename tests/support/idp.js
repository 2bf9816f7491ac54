// A fake identity provider on 127.0.0.1 for the teams tests: a Cloudflare Access team (its JWKS at
// /cdn-cgi/access/certs, keys that rotate) and an OIDC provider (discovery, an authorization
// endpoint that signs in whoever `nextUser` names, a token endpoint that checks the PKCE verifier,
// the JWKS). Tokens are signed with node:crypto (RS256 or ES256); nothing here is hand-rolled math.
import { createHash, createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const b64url = (b) => Buffer.from(b).toString("base64url");

/** A signing key: {kid, alg, privateKey, jwk}. */
export function signingKey(alg = "RS256", kid = `k-${randomBytes(4).toString("hex")}`) {
  const { privateKey, publicKey } = alg === "ES256"
    ? generateKeyPairSync("ec", { namedCurve: "P-256" })
    : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" } };
}

/** A JWT of `claims` signed by `key` (header overrides for forged tokens). */
export function signJwt(key, claims, header = {}) {
  const head = b64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: "JWT", ...header }));
  const body = b64url(JSON.stringify(claims));
  const signer = createSign("SHA256");
  signer.update(`${head}.${body}`);
  const sig = key.alg === "ES256" ? signer.sign({ key: key.privateKey, dsaEncoding: "ieee-p1363" }) : signer.sign(key.privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

/** Starts the provider: {origin, keys (published), key (signing), accessToken(email, claims), rotate(),
 *  nextUser, codes, close()}. `aud` is the Access application's tag; `clientId` the OIDC client's. */
export async function startIdp({ aud = "edgelog-aud", clientId = "edgelog-client", clientSecret = "s3cret" } = {}) {
  const idp = { aud, clientId, clientSecret, keys: [signingKey("RS256")], nextUser: null, nonceOverride: null, jwksFetches: 0, tokenRequests: [] };
  idp.key = idp.keys[0];
  const codes = new Map(); // code → {email, name, nonce, challenge, redirectUri}
  const server = createServer((req, res) => {
    const url = new URL(req.url, idp.origin);
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (url.pathname === "/cdn-cgi/access/certs" || url.pathname === "/jwks") {
      idp.jwksFetches++;
      return send(200, { keys: idp.keys.map((k) => k.jwk) });
    }
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(200, { issuer: idp.origin, authorization_endpoint: `${idp.origin}/authorize`, token_endpoint: `${idp.origin}/token`,
        jwks_uri: `${idp.origin}/jwks`, response_types_supported: ["code"], code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"], id_token_signing_alg_values_supported: ["RS256", "ES256"] });
    }
    if (url.pathname === "/authorize") {
      const p = url.searchParams;
      if (p.get("client_id") !== clientId || p.get("response_type") !== "code" || p.get("code_challenge_method") !== "S256"
        || !p.get("code_challenge") || !p.get("state") || !p.get("nonce"))
        return send(400, { error: "invalid_request" });
      const user = p.get("login_hint") ?? idp.nextUser;
      if (!user) { // a sign-in page: a browser picks who signs in
        res.writeHead(200, { "content-type": "text/html" });
        return res.end(`<!doctype html><title>Fake IdP</title><h1>Sign in to Fake IdP</h1><form method="get" action="/authorize">
          ${[...p].map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, "&quot;")}">`).join("")}
          <label>Email <input name="login_hint" id="email"></label><button id="go">Sign in</button></form>`);
      }
      const code = randomBytes(12).toString("hex");
      codes.set(code, { email: user, nonce: p.get("nonce"), challenge: p.get("code_challenge"), redirectUri: p.get("redirect_uri") });
      const back = new URL(p.get("redirect_uri"));
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state"));
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let raw = "";
      req.on("data", (c) => { raw += c; });
      req.on("end", () => {
        const form = new URLSearchParams(raw);
        idp.tokenRequests.push(Object.fromEntries(form));
        const auth = req.headers.authorization ?? "";
        const [id, secret] = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString().split(":").map(decodeURIComponent);
        if (id !== clientId || secret !== clientSecret) return send(401, { error: "invalid_client" });
        const grant = codes.get(form.get("code"));
        codes.delete(form.get("code"));
        if (!grant || form.get("redirect_uri") !== grant.redirectUri) return send(400, { error: "invalid_grant" });
        const challenge = createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
        if (challenge !== grant.challenge) return send(400, { error: "invalid_grant", error_description: "PKCE verifier does not match" });
        const now = Math.floor(Date.now() / 1000);
        const idToken = signJwt(idp.key, { iss: idp.origin, aud: clientId, sub: `sub-${grant.email}`, email: grant.email,
          email_verified: true, name: grant.email.split("@")[0], iat: now, exp: now + 300, nonce: idp.nonceOverride ?? grant.nonce });
        return send(200, { access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken });
      });
      return undefined;
    }
    return send(404, { error: "not_found" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  idp.origin = `http://127.0.0.1:${server.address().port}`;
  /** An Access JWT for `email`, as Access adds it to each request it lets through. */
  idp.accessToken = (email, claims = {}, { key = idp.key, header = {} } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(key, { aud: [aud], email, exp: now + 600, iat: now, nbf: now, iss: idp.origin, sub: `sub-${email}`,
      type: "app", identity_nonce: "n", country: "XX", ...claims }, header);
  };
  /** Publishes a new key and signs with it; the old one is withdrawn (Access rotates this way). */
  idp.rotate = (alg = "RS256") => {
    idp.key = signingKey(alg);
    idp.keys = [idp.key];
  };
  idp.close = () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); });
  return idp;
}
