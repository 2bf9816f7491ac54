// The operator's session: restored from the cookie, started with the admin token, ended at logout.
import { api, useCsrfToken } from "../components/api.js";

/** True when the cookie is a live session (and remembers its CSRF token). */
export async function restoreSession() {
  try {
    const s = await api("/api/auth/session");
    useCsrfToken(s.csrf_token);
    return true;
  } catch {
    return false;
  }
}

export async function login(token) {
  const s = await api("/api/auth/login", { method: "POST", body: { token } });
  useCsrfToken(s.csrf_token);
}

export async function logout() {
  await api("/api/auth/logout", { method: "POST" }).catch(() => {});
  useCsrfToken(null);
}
