// The person signed in: restored from the cookie (or Cloudflare Access), started with SSO or the
// break-glass admin token, ended at logout.
import { api, useCsrfToken } from "../components/api.js";
import { setWho } from "../components/roles.js";

/** The session ({user, roles, providers, …}) when the caller is signed in, else {providers}. */
export async function restoreSession() {
  const res = await fetch("/api/auth/session", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const s = await res.json().catch(() => ({}));
  if (!res.ok) return { signedIn: false, providers: s.providers ?? { break_glass: true }, error: s.error ?? null };
  useCsrfToken(s.csrf_token);
  setWho(s);
  return { signedIn: true, ...s };
}

export async function login(token) {
  await api("/api/auth/login", { method: "POST", body: { token } });
  return restoreSession();
}

export async function logout() {
  await api("/api/auth/logout", { method: "POST" }).catch(() => {});
  useCsrfToken(null);
  setWho(null);
}
