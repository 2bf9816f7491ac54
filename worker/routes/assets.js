// The dashboard's static files (the [assets] binding), sent with a strict Content-Security-Policy
// and the usual security headers. A path that is no file answers the JSON 404 envelope.
import { notFound } from "../platform/http.js";
const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join("; ");

const HEADERS = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export async function serveAsset(request, env) {
  if (request.method !== "GET" && request.method !== "HEAD")
    return new Response("method not allowed", { status: 405, headers: { Allow: "GET, HEAD", ...HEADERS } });
  const upstream = await env.ASSETS.fetch(request);
  if (upstream.status === 404) return notFound();
  const response = new Response(upstream.body, upstream);
  for (const [name, value] of Object.entries(HEADERS)) response.headers.set(name, value);
  // The page itself is never cached, so a new deployment's files are picked up at once.
  if ((response.headers.get("content-type") ?? "").startsWith("text/html")) response.headers.set("Cache-Control", "no-store");
  return response;
}
