// The Worker entry: the route table for fetch, the cron handler, the queue consumer and the Tail
// Worker handler. Handlers live in worker/routes/ (one module per resource), which call
// worker/services/; see docs/architecture.md.
import { runScheduled } from "./worker/jobs/schedule.js";
import { preflight, withCors } from "./worker/platform/cors.js";
import { ColdStorageUnavailable } from "./worker/platform/cold.js";
import { coldStorageUnavailable, internalError, methodNotAllowed, notFound, requestId, storageUnavailable } from "./worker/platform/http.js";
import { observeRequest } from "./worker/platform/observe.js";
import {
  createDestination, createRule, deleteDestination, deleteRule, listAlerts, listDeliveries, testAlert, updateRule,
} from "./worker/routes/alerts.js";
import { serveAsset } from "./worker/routes/assets.js";
import { currentSession, login, logout } from "./worker/routes/auth.js";
import { clientConfig } from "./worker/routes/config.js";
import { createForwarder, deleteForwarder, listForwarders, updateForwarder } from "./worker/routes/forwarders.js";
import { healthz } from "./worker/routes/health.js";
import { logtailIngest } from "./worker/routes/ingest/logtail.js";
import { nativeIngest } from "./worker/routes/ingest/native.js";
import { otlpLogs } from "./worker/routes/ingest/otlp.js";
import { centralBatch, centralLog, goIngest } from "./worker/routes/ingest/seeds.js";
import { sentryEnvelope, sentryStore } from "./worker/routes/ingest/sentry.js";
import { getIssue, getIssueBaseline, listIssues, updateIssue } from "./worker/routes/issues.js";
import { createKey, listKeys, revokeKey, revokePreviousSecret, rotateKey, updateKey } from "./worker/routes/keys.js";
import { exportLogs, getLog, listLogs, logsAggregate, logsFields, logsHistogram, posted, tailLogs } from "./worker/routes/logs.js";
import { listRuns, maintainNow, purgeNow } from "./worker/routes/maintenance.js";
import { metrics } from "./worker/routes/metrics.js";
import { listOutcomes } from "./worker/routes/outcomes.js";
import { previewAlert, previewRules } from "./worker/routes/previews.js";
import { createProject, deleteProject, getProject, listProjects, updateProject } from "./worker/routes/projects.js";
import { readQuery } from "./worker/routes/query.js";
import { deleteSavedQuery, listSavedQueries, saveQuery } from "./worker/routes/saved-queries.js";
import { stats, statsBaseline } from "./worker/routes/stats.js";
import { deleteSourceMap, deleteSourceMaps, listSourceMaps, uploadSourceMaps } from "./worker/routes/sourcemaps.js";
import { storage } from "./worker/routes/storage.js";
import { listTailWorkers, mapTailWorker, unmapTailWorker, updateTailWorker } from "./worker/routes/tail-workers.js";
import { createTicket, deleteTracker, getTracker, putTracker } from "./worker/routes/tickets.js";
import { vocabulary } from "./worker/routes/vocabulary.js";
import { requireAdmin } from "./worker/services/credentials.js";
import { consumeQueue } from "./worker/services/queue.js";
import { receiveTail } from "./worker/services/tail.js";

// open: no credentials or its own (ingest keys, read keys, login); admin: the admin token or a
// session (with CSRF on state-changing methods).
const open = (handler) => ({ handler, admin: false });
const admin = (handler) => ({ handler, admin: true });
const dashboardRoot = (request, env) => (env.ASSETS ? serveAsset(request, env) : notFound());
const cors = (handler) => async (request, ...rest) => withCors(request, await handler(request, ...rest));

/** path (":name" segments are parameters) → method → route. */
const ROUTES = {
  "/api/log": { POST: open(cors(nativeIngest)), OPTIONS: open(preflight) },
  "/log": { POST: open(cors(nativeIngest)), OPTIONS: open(preflight) },
  // The dashboard; POST is Better Stack (Logtail) SDKs, which send to their endpoint's root.
  "/": { GET: open(dashboardRoot), POST: open(logtailIngest), OPTIONS: open(preflight) },
  "/v1/logs": { POST: open(otlpLogs), OPTIONS: open(preflight) }, // OpenTelemetry (OTLP/HTTP)
  // The seed systems' clients: the Go analytics server's and the Central Logger's.
  "/api/v1/ingest": { POST: open(goIngest), OPTIONS: open(preflight) },
  "/api/v1/batch-ingest": { POST: open(goIngest), OPTIONS: open(preflight) },
  "/api/v1/logs": { POST: open(centralLog), OPTIONS: open(preflight) },
  "/api/v1/logs/batch": { POST: open(centralBatch), OPTIONS: open(preflight) },
  "/healthz": { GET: open(healthz) },
  "/config": { GET: open(cors(clientConfig)), OPTIONS: open(preflight) }, // browsers read it too
  "/api/auth/login": { POST: open(login) },
  "/api/auth/logout": { POST: open(logout) },
  "/api/auth/session": { GET: open(currentSession) },
  "/api/vocabulary": { GET: open(vocabulary) }, // levels, fields, kinds and limits: nothing secret
  "/api/query": { GET: open(readQuery) }, // the admin, or a key with the read scope
  "/api/logs": { GET: open(listLogs) }, // the admin, or a key with the read scope
  "/api/logs/search": { POST: open(posted("/api/logs", listLogs)) }, // the GET form's parameters as JSON
  "/api/logs/histogram": { GET: open(logsHistogram) },
  "/api/logs/fields": { GET: open(logsFields) }, // ctx and tags keys of recent matches, for facets and suggestions
  "/api/logs/aggregate": { GET: open(logsAggregate), POST: open(posted("/api/logs/aggregate", logsAggregate)) },
  "/api/logs/:id": { GET: open(getLog) }, // likewise (and the same for the reads below)
  "/api/export": { GET: open(exportLogs) },
  "/api/tail": { GET: open(tailLogs) },
  "/api/stats": { GET: open(stats) },
  "/api/stats/baseline": { GET: open(statsBaseline) },
  "/metrics": { GET: open(metrics) }, // the admin, or METRICS_TOKEN
  "/api/issues": { GET: open(listIssues) }, // likewise
  "/api/issues/:fingerprint": { GET: open(getIssue), PATCH: open(updateIssue) }, // PATCH: the admin only
  "/api/issues/:fingerprint/baseline": { GET: open(getIssueBaseline) },
  "/api/admin/projects": { GET: admin(listProjects), POST: admin(createProject) },
  "/api/admin/projects/:slug": {
    GET: admin(getProject), PATCH: admin(updateProject), DELETE: admin(deleteProject),
  },
  "/api/admin/projects/:slug/keys": { GET: admin(listKeys), POST: admin(createKey) },
  "/api/admin/projects/:slug/alerts": { GET: admin(listAlerts), POST: admin(createRule) },
  "/api/admin/projects/:slug/alerts/destinations": { POST: admin(createDestination) },
  "/api/admin/projects/:slug/alerts/destinations/:id": { DELETE: admin(deleteDestination) },
  "/api/admin/projects/:slug/alerts/test": { POST: admin(testAlert) },
  "/api/admin/projects/:slug/alerts/preview": { POST: admin(previewAlert) },
  "/api/admin/projects/:slug/rules/preview": { POST: admin(previewRules) },
  "/api/admin/projects/:slug/alerts/deliveries": { GET: admin(listDeliveries) },
  "/api/admin/projects/:slug/alerts/:id": { PATCH: admin(updateRule), DELETE: admin(deleteRule) },
  "/api/admin/projects/:slug/tickets": { GET: admin(getTracker), PUT: admin(putTracker), DELETE: admin(deleteTracker) },
  "/api/admin/projects/:slug/issues/:fingerprint/ticket": { POST: admin(createTicket) },
  "/api/admin/projects/:slug/queries": { GET: admin(listSavedQueries), POST: admin(saveQuery) },
  "/api/admin/projects/:slug/queries/:id": { DELETE: admin(deleteSavedQuery) },
  "/api/admin/projects/:slug/forwarders": { GET: admin(listForwarders), POST: admin(createForwarder) },
  "/api/admin/projects/:slug/forwarders/:id": { PATCH: admin(updateForwarder), DELETE: admin(deleteForwarder) },
  "/api/admin/projects/:slug/sourcemaps": {
    GET: admin(listSourceMaps), POST: admin(uploadSourceMaps), DELETE: admin(deleteSourceMaps),
  },
  "/api/admin/projects/:slug/sourcemaps/:id": { DELETE: admin(deleteSourceMap) },
  "/api/admin/projects/:slug/workers": { GET: admin(listTailWorkers), POST: admin(mapTailWorker) },
  "/api/admin/projects/:slug/workers/:script": { PATCH: admin(updateTailWorker), DELETE: admin(unmapTailWorker) },
  "/api/admin/projects/:slug/keys/:id": { PATCH: admin(updateKey) },
  "/api/admin/projects/:slug/keys/:id/rotate": { POST: admin(rotateKey) },
  "/api/admin/projects/:slug/keys/:id/revoke-previous": { POST: admin(revokePreviousSecret) },
  "/api/admin/projects/:slug/keys/:id/revoke": { POST: admin(revokeKey) },
  "/api/admin/outcomes": { GET: admin(listOutcomes) },
  "/api/admin/maintain": { POST: admin(maintainNow) },
  "/api/admin/purge": { POST: admin(purgeNow) },
  "/api/admin/maintenance": { GET: admin(listRuns) },
  "/api/admin/storage": { GET: admin(storage) },
  // Sentry SDKs (a DSN's path is /<numeric project id>); last, so named routes above win.
  "/api/:project/envelope": { POST: open(sentryEnvelope), OPTIONS: open(preflight) },
  "/api/:project/store": { POST: open(sentryStore), OPTIONS: open(preflight) },
};

const PATTERNS = Object.entries(ROUTES).map(([path, methods]) => {
  const names = [];
  const source = path.replace(/:([a-z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { path, regex: new RegExp(`^${source}$`), names, methods };
});

function match(pathname) {
  for (const { path, regex, names, methods } of PATTERNS) {
    const m = regex.exec(pathname);
    if (m) return { path, methods, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

async function route(request, env, ctx, found) {
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
    const { pathname } = new URL(request.url);
    const found = match(pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname);
    if (!found) {
      // The dashboard's files; unknown API paths stay JSON 404s.
      return pathname.startsWith("/api/") || !env.ASSETS ? notFound() : serveAsset(request, env);
    }
    const started = Date.now();
    try {
      return await route(request, env, ctx, found);
    } catch (err) {
      const rid = requestId(request);
      console.error("unhandled", rid, err);
      if (String(err?.message).startsWith("D1_")) return storageUnavailable(rid);
      if (err instanceof ColdStorageUnavailable) return coldStorageUnavailable(rid);
      return internalError(rid);
    } finally {
      observeRequest(found.path, (Date.now() - started) / 1000);
    }
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },

  // Writes buffered while D1 failed (worker/services/queue.js), and their dead letters.
  async queue(batch, env, ctx) {
    await consumeQueue(batch, env, ctx);
  },

  // Customers' Workers that name edgelog as their Tail Worker (worker/services/tail.js).
  async tail(items, env, ctx) {
    await receiveTail(items, env, ctx);
  },
};

