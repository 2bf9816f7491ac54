// The router: finds a request's route in the table, checks that the caller may call it (the
// route's role, on the project its path names or on every project), runs it, and records what it
// changed, and every export and search, in the audit log.
import * as db from "../db/index.js";
import { methodNotAllowed } from "../platform/http.js";
import { noteOf, recordAudit } from "../services/audit.js";
import { authorize, identify, rankOf, roleOn } from "../services/identity.js";
import { ROUTES } from "./table.js";

const PATTERNS = Object.entries(ROUTES).map(([path, methods]) => {
  const names = [];
  const source = path.replace(/:([a-z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { path, regex: new RegExp(`^${source}$`), names, methods };
});

/** The route of a path: {path (the table's), methods, params}, or null. */
export function match(pathname) {
  for (const { path, regex, names, methods } of PATTERNS) {
    const m = regex.exec(pathname);
    if (m) return { path, methods, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function dispatch(request, env, ctx, found) {
  const { methods, params } = found;
  const r = methods[request.method] ?? (request.method === "HEAD" ? methods.GET : undefined);
  if (!r) return methodNotAllowed(Object.keys(methods));
  if (r.role === null) return r.handler(request, env, ctx, params);

  const who = await identify(request, env);
  if (who.refusal) return who.refusal;
  const { principal } = who;
  let projectId = 0;
  if (r.on === "slug" && principal && principal.kind !== "break_glass" && rankOf(roleOn(principal, 0)) < rankOf(r.role)) {
    // The role on every project falls short: the role on the project the slug names decides
    // (an unknown slug: no role on it).
    projectId = (await db.projectBySlug(env.DB, params.slug))?.id ?? -1;
  }
  if (principal?.kind === "key" && r.on !== "handler" && r.role !== "signed_in")
    return authorize(request, env, principal, r.role, -1, r.action); // a project key reads events, nothing else
  if (r.on !== "handler" || !principal) {
    const refusal = await authorize(request, env, principal, r.role, projectId, r.action);
    if (refusal) return refusal;
  }
  const response = await r.handler(request, env, ctx, params);
  if (r.action && principal && (!SAFE_METHODS.has(request.method) || response.status < 400)) {
    await recordAction(request, env, principal, r, params, response, projectId);
  }
  return response;
}

async function recordAction(request, env, principal, route, params, response, checkedProject) {
  const note = noteOf(request) ?? {};
  const url = new URL(request.url);
  const slug = params.slug ?? url.searchParams.get("project") ?? note.detail?.query?.project ?? null;
  let projectId = note.projectId ?? (checkedProject > 0 ? checkedProject : null);
  if (projectId === null && slug) projectId = (await db.projectBySlug(env.DB, slug))?.id ?? null;
  const detail = {};
  if (note.before !== undefined) detail.before = note.before;
  if (note.after !== undefined) detail.after = note.after;
  if (note.detail) Object.assign(detail, note.detail);
  if (SAFE_METHODS.has(request.method)) detail.query = Object.fromEntries(url.searchParams); // what was searched or exported
  if (principal.tokenId !== undefined) detail.token = principal.tokenId;
  await recordAudit(env, request, {
    principal, role: roleOn(principal, projectId ?? 0) ?? roleOn(principal, 0), action: note.action ?? route.action,
    outcome: response.status < 400 ? "ok" : "failed", status: response.status, projectId,
    object: note.object ?? (Object.keys(params).length ? Object.values(params).join("/") : null),
    detail: Object.keys(detail).length ? detail : null,
  });
}
