// Sign-in through any OpenID Connect provider (Google, Okta, Entra ID, Keycloak, …): the
// authorization code flow with PKCE (S256), state and nonce; the ID token verified (signature
// against the provider's JWKS, issuer, audience, expiry, nonce). Configured with OIDC_ISSUER,
// OIDC_CLIENT_ID, and OIDC_CLIENT_SECRET for confidential clients (OIDC_SCOPES, optional).
import { base64url as b64url } from "../platform/crypto.js";
import { JwtError, verifyJwt } from "../platform/jwt.js";

const DISCOVERY_FRESH_MS = 3_600_000;
const discoveries = new Map(); // issuer → {config, fetchedAt}

export const oidcConfigured = (env) => Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID);
const issuerOf = (env) => String(env.OIDC_ISSUER).replace(/\/+$/, "");

/** A sign-in that failed, with a stable code (shown to the person, recorded in the audit log). */
export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The provider's configuration (.well-known/openid-configuration), cached for an hour. */
export async function discover(env, now) {
  const issuer = issuerOf(env);
  const hit = discoveries.get(issuer);
  if (hit && now - hit.fetchedAt < DISCOVERY_FRESH_MS) return hit.config;
  let config;
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { accept: "application/json" } });
    config = res.ok ? await res.json() : null;
  } catch {
    config = null;
  }
  if (!config?.authorization_endpoint || !config?.token_endpoint || !config?.jwks_uri)
    throw new SignInError("provider_unavailable", "the sign-in provider's configuration could not be read");
  if (String(config.issuer).replace(/\/+$/, "") !== issuer)
    throw new SignInError("provider_misconfigured", "the provider names another issuer than OIDC_ISSUER");
  discoveries.set(issuer, { config, fetchedAt: now });
  return config;
}

const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/** A new flow: {state, nonce, verifier, url} — the provider's authorization URL to send the browser to. */
export async function startFlow(env, { redirectUri, now }) {
  const config = await discover(env, now);
  const verifier = random(32);
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const state = random(18);
  const nonce = random(18);
  const url = new URL(config.authorization_endpoint);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: env.OIDC_CLIENT_ID, redirect_uri: redirectUri,
    scope: env.OIDC_SCOPES ?? "openid email profile", state, nonce, code_challenge: challenge, code_challenge_method: "S256" }))
    url.searchParams.set(k, v);
  return { state, nonce, verifier, url: url.toString() };
}

/** Trades the code for tokens and verifies the ID token: its claims ({email, name, …}). */
export async function finishFlow(env, { code, verifier, nonce, redirectUri, now }) {
  const config = await discover(env, now);
  const form = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier,
    client_id: env.OIDC_CLIENT_ID });
  const headers = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (env.OIDC_CLIENT_SECRET) {
    const methods = config.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
    if (methods.includes("client_secret_basic")) {
      const enc = (s) => encodeURIComponent(s);
      headers.authorization = `Basic ${btoa(`${enc(env.OIDC_CLIENT_ID)}:${enc(env.OIDC_CLIENT_SECRET)}`)}`;
    } else form.set("client_secret", env.OIDC_CLIENT_SECRET);
  }
  let tokens;
  try {
    const res = await fetch(config.token_endpoint, { method: "POST", headers, body: form });
    tokens = await res.json().catch(() => null);
    if (!res.ok) throw new SignInError("code_refused", `the provider refused the code (${tokens?.error ?? `HTTP ${res.status}`})`);
  } catch (err) {
    if (err instanceof SignInError) throw err;
    throw new SignInError("provider_unavailable", "the sign-in provider could not be reached");
  }
  if (typeof tokens?.id_token !== "string") throw new SignInError("no_id_token", "the provider answered no ID token");
  let claims;
  try {
    claims = await verifyJwt(tokens.id_token, { jwksUrl: config.jwks_uri, issuer: config.issuer, audience: env.OIDC_CLIENT_ID, now });
  } catch (err) {
    if (err instanceof JwtError) throw new SignInError(err.code, `the ID token was refused: ${err.message}`);
    throw err;
  }
  if (claims.nonce !== nonce) throw new SignInError("wrong_nonce", "the ID token is not for this sign-in (nonce)");
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== env.OIDC_CLIENT_ID)
    throw new SignInError("wrong_audience", "the ID token was issued to another client (azp)");
  if (typeof claims.email !== "string" || !claims.email.includes("@"))
    throw new SignInError("no_email", "the provider gave no email: ask for the email scope");
  if (claims.email_verified === false) throw new SignInError("unverified_email", "the provider has not verified this email");
  return claims;
}
