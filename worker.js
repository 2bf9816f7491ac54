// The Worker entry: route table for fetch, and the cron handler. Handlers live in worker/.
import { requireAdmin } from "./worker/auth.js";
import { healthz } from "./worker/health.js";
import { internalError, methodNotAllowed, notFound, requestId, storageUnavailable } from "./worker/http.js";
import { ingest } from "./worker/ingest.js";
import { listLogs } from "./worker/logs.js";
import { listOutcomes } from "./worker/outcomes.js";
import { runScheduled } from "./worker/maintenance.js";
import { createProject, listProjects } from "./worker/projects.js";

const open = (handler) => ({ handler, admin: false });
const admin = (handler) => ({ handler, admin: true });

/** path → method → route. */
const ROUTES = {
  "/api/log": { POST: open(ingest) },
  "/log": { POST: open(ingest) },
  "/healthz": { GET: open(healthz) },
  "/api/logs": { GET: admin(listLogs) },
  "/api/admin/projects": { GET: admin(listProjects), POST: admin(createProject) },
  "/api/admin/outcomes": { GET: admin(listOutcomes) },
};

async function route(request, env, ctx) {
  const { pathname } = new URL(request.url);
  const methods = ROUTES[pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname];
  if (!methods) return notFound();
  const r = methods[request.method] ?? (request.method === "HEAD" ? methods.GET : undefined);
  if (!r) return methodNotAllowed(Object.keys(methods));
  if (r.admin) {
    const refusal = await requireAdmin(request, env);
    if (refusal) return refusal;
  }
  return r.handler(request, env, ctx);
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

