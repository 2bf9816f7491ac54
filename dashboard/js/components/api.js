// The dashboard's one door to the API: same-origin fetches with the session cookie, the CSRF
// token on state changes, and the error envelope turned into ApiError.
let csrfToken = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, code, message, field, position) {
    super(message);
    Object.assign(this, { status, code, field, position });
  }
}

export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** The session's CSRF token, sent on state changes (the shell sets it at login). */
export function useCsrfToken(token) {
  csrfToken = token;
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const res = await fetch(path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  const data = isJson ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith("/api/auth/")) onUnauthorized();
    const e = isJson ? data.error ?? {} : {};
    throw new ApiError(res.status, e.code ?? "http_error", e.message ?? `${res.status} ${res.statusText}`, data?.field,
      data?.position);
  }
  return data;
}

/** /healthz?verbose=1 as JSON, also when it answers 503 (the database down); null if unreachable. */
export async function health() {
  try {
    const res = await fetch("/healthz?verbose=1", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    return res.status === 200 || res.status === 503 ? await res.json() : null;
  } catch {
    return null;
  }
}

/** A query string from an object, leaving out empty values; arrays become repeated keys. */
export function qs(params) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const item of Array.isArray(v) ? v : [v]) out.append(k, item);
  }
  const s = out.toString();
  return s ? `?${s}` : "";
}
