// /api/auth/oidc: sign-in through the OIDC provider. /start sends the browser to the provider;
// /callback finishes the flow, signs the user in (created on first sign-in) and sets the session
// cookie. A failure sends the browser back to the dashboard with a reason, and is audited.
import * as db from "../db/index.js";
import { error } from "../platform/http.js";
import { signIn, signInFailed } from "../services/identity.js";
import { SignInError, finishFlow, oidcConfigured, startFlow } from "../services/oidc.js";
import { SESSION_MS, cookieHeader, issueSession } from "../services/sessions.js";

const FLOW_MS = 10 * 60_000;

const redirectUri = (request, env) => env.OIDC_REDIRECT_URI ?? `${new URL(request.url).origin}/api/auth/oidc/callback`;
const sameOriginPath = (text) => (typeof text === "string" && /^\/(?![/\\])/.test(text) && text.length <= 500 ? text : "/");
const redirect = (location, headers = {}) => new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store", ...headers } });
const failed = (reason) => redirect(`/?sign_in_error=${encodeURIComponent(reason)}`);

/** GET /api/auth/oidc/start?return_to=/…: to the provider. */
export async function oidcStart(request, env) {
  if (!oidcConfigured(env)) return error(404, "oidc_off", "OIDC sign-in is not configured here");
  const now = Date.now();
  let flow;
  try {
    flow = await startFlow(env, { redirectUri: redirectUri(request, env), now });
  } catch (err) {
    if (!(err instanceof SignInError)) throw err;
    await signInFailed(request, env, "oidc", `${err.code}: ${err.message}`);
    return failed(err.code);
  }
  await db.insertAuthFlow(env.DB, { state: flow.state, verifier: flow.verifier, nonce: flow.nonce,
    returnTo: sameOriginPath(new URL(request.url).searchParams.get("return_to")), expiresAt: now + FLOW_MS });
  return redirect(flow.url);
}

/** GET /api/auth/oidc/callback?code=&state=: the provider sends the browser back here. */
export async function oidcCallback(request, env) {
  if (!oidcConfigured(env)) return error(404, "oidc_off", "OIDC sign-in is not configured here");
  const params = new URL(request.url).searchParams;
  const now = Date.now();
  const state = params.get("state");
  const flow = state ? await db.takeAuthFlow(env.DB, state, now) : null;
  try {
    if (params.has("error")) throw new SignInError("provider_refused", `the provider answered ${params.get("error")}`.slice(0, 200));
    if (!flow) throw new SignInError("unknown_state", "this sign-in is unknown, used or expired: start again");
    const code = params.get("code");
    if (!code) throw new SignInError("no_code", "the provider sent no code");
    const claims = await finishFlow(env, { code, verifier: flow.verifier, nonce: flow.nonce, redirectUri: redirectUri(request, env), now });
    const signedIn = await signIn(request, env, { email: claims.email, name: claims.name ?? null, via: "oidc", now });
    if (signedIn.refusal) return failed("user_disabled");
    const session = await issueSession(env, now, signedIn.user.id);
    return redirect(flow.return_to, { "Set-Cookie": cookieHeader(session.value, SESSION_MS / 1000) });
  } catch (err) {
    if (!(err instanceof SignInError)) throw err;
    await signInFailed(request, env, "oidc", `${err.code}: ${err.message}`);
    return failed(err.code);
  }
}
