// The Worker entry: route table for fetch, and the cron handler. Handlers live in worker/.
import { requireAdmin } from "./worker/auth.js";
import { healthz } from "./worker/health.js";
import { internalError, methodNotAllowed, notFound, requestId, storageUnavailable } from "./worker/http.js";
import { ingest } from "./worker/ingest.js";
import { listLogs } from "./worker/logs.js";
import { listOutcomes } from "./worker/outcomes.js";
import { runScheduled } from "./worker/maintenance.js";
import { createProject, getProject, listProjects, updateProject } from "./worker/projects.js";

const open = (handler) => ({ handler, admin: false });
const admin = (handler) => ({ handler, admin: true });

/** path (":name" segments are parameters) → method → route. */
const ROUTES = {
  "/api/log": { POST: open(ingest) },
  "/log": { POST: open(ingest) },
  "/healthz": { GET: open(healthz) },
  "/api/logs": { GET: admin(listLogs) },
  "/api/admin/projects": { GET: admin(listProjects), POST: admin(createProject) },
  "/api/admin/projects/:slug": { GET: admin(getProject), PATCH: admin(updateProject) },
  "/api/admin/outcomes": { GET: admin(listOutcomes) },
};

const PATTERNS = Object.entries(ROUTES).map(([path, methods]) => {
  const names = [];
  const source = path.replace(/:([a-z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names, methods };
});

function match(pathname) {
  for (const { regex, names, methods } of PATTERNS) {
    const m = regex.exec(pathname);
    if (m) return { methods, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

async function route(request, env, ctx) {
  const { pathname } = new URL(request.url);
  const found = match(pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname);
  if (!found) return notFound();
  const { methods, params } = found;
  const r = methods[request.method] ?? (request.method === "HEAD" ? methods.GET : undefined);
  if (!r) return methodNotAllowed(Object.keys(methods));
  if (r.admin) {
    const refusal = await requireAdmin(request, env);
    if (refusal) return refusal;
  }
  return r.handler(request, env, ctx, params);
}

export default {
  async fetch(request, env, ctx) {
    try {
      return await route(request, env, ctx);
    } catch (err) {
      const rid = requestId(request);
      console.error("unhandled", rid, err);
      if (String(err?.message).startsWith("D1_")) return storageUnavailable(rid);
      return internalError(rid);
    }
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
};

