// The route table: path (":name" segments are parameters) → method → route. Every route says who
// may call it, and every route that changes something names the action the audit log records:
//  - open: no credentials, or its own (ingest keys and signatures, login, Slack/Discord signatures);
//  - reads: anyone signed in, a personal token or a read key; the handler narrows what is read to
//    the projects the caller holds a role on (viewer at least), one of them with ?project=;
//  - onProject(role): that role on the project the path's :slug names (or on every project);
//  - everywhere(role): that role on every project (deployment-wide settings, users, the audit log);
//  - signedIn: any principal (the caller's own session, tokens and projects list);
//  - byHandler(role): the handler checks the role on the project it reads from the request.
import {
  createDestination, createRule, deleteDestination, deleteRule, listAlerts, listDeliveries, muteRule, testAlert, updateRule,
} from "../routes/alerts.js";
import { serveAsset } from "../routes/assets.js";
import { listAudit, exportAudit } from "../routes/audit.js";
import { currentSession, login, logout } from "../routes/auth.js";
import { discordInteraction } from "../routes/chat/discord.js";
import { slackAction, slackCommand } from "../routes/chat/slack.js";
import { clientConfig } from "../routes/config.js";
import { createLinkCode, listLinks, unlink } from "../routes/links.js";
import { oidcCallback, oidcStart } from "../routes/oidc.js";
import { createForwarder, deleteForwarder, listForwarders, updateForwarder } from "../routes/forwarders.js";
import { healthz } from "../routes/health.js";
import { logtailIngest } from "../routes/ingest/logtail.js";
import { nativeIngest } from "../routes/ingest/native.js";
import { otlpLogs } from "../routes/ingest/otlp.js";
import { centralBatch, centralLog, goIngest } from "../routes/ingest/seeds.js";
import { sentryEnvelope, sentryStore } from "../routes/ingest/sentry.js";
import { getIssue, getIssueBaseline, listIssues, updateIssue } from "../routes/issues.js";
import { createKey, listKeys, revokeKey, revokePreviousSecret, rotateKey, updateKey } from "../routes/keys.js";
import { exportLogs, getLog, listLogs, logsAggregate, logsFields, logsHistogram, posted, tailLogs } from "../routes/logs.js";
import { listRuns, maintainNow, purgeNow } from "../routes/maintenance.js";
import { metrics } from "../routes/metrics.js";
import { listOutcomes } from "../routes/outcomes.js";
import { previewAlert, previewRules } from "../routes/previews.js";
import { createProject, deleteProject, getProject, listProjects, updateProject } from "../routes/projects.js";
import { readQuery } from "../routes/query.js";
import { deleteSavedQuery, listSavedQueries, saveQuery } from "../routes/saved-queries.js";
import { stats, statsBaseline } from "../routes/stats.js";
import { deleteSourceMap, deleteSourceMaps, listSourceMaps, uploadSourceMaps } from "../routes/sourcemaps.js";
import { storage } from "../routes/storage.js";
import { listTailWorkers, mapTailWorker, unmapTailWorker, updateTailWorker } from "../routes/tail-workers.js";
import { createTicket, deleteTracker, getTracker, putTracker } from "../routes/tickets.js";
import { createToken, listTokens, revokeToken } from "../routes/tokens.js";
import { inviteUser, listUsers, updateUser } from "../routes/users.js";
import { vocabulary } from "../routes/vocabulary.js";
import { preflight, withCors } from "../platform/cors.js";
import { notFound } from "../platform/http.js";

const open = (handler) => ({ handler, role: null });
const reads = (handler, action = null) => ({ handler, role: "viewer", on: "handler", action });
const signedIn = (handler, action = null) => ({ handler, role: "signed_in", on: "all", action });
const onProject = (role) => (handler, action = null) => ({ handler, role, on: "slug", action });
const everywhere = (role) => (handler, action = null) => ({ handler, role, on: "all", action });
const byHandler = (role) => (handler, action) => ({ handler, role, on: "handler", action });
const viewer = onProject("viewer");
const responder = onProject("responder");
const admin = onProject("admin");
const deploymentAdmin = everywhere("admin");

const dashboardRoot = (request, env) => (env.ASSETS ? serveAsset(request, env) : notFound());
const cors = (handler) => async (request, ...rest) => withCors(request, await handler(request, ...rest));

export const ROUTES = {
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
  "/healthz": { GET: open(healthz) }, // ?verbose=1 asks for admin on every project
  "/config": { GET: open(cors(clientConfig)), OPTIONS: open(preflight) }, // browsers read it too
  "/api/auth/login": { POST: open(login) }, // the break-glass token, throttled per IP
  "/api/auth/logout": { POST: open(logout) },
  "/api/auth/session": { GET: open(currentSession) }, // who the caller is, how to sign in otherwise
  "/api/auth/oidc/start": { GET: open(oidcStart) }, // to the OIDC provider (code flow with PKCE)
  "/api/auth/oidc/callback": { GET: open(oidcCallback) }, // back from it: state, code, ID token checked
  "/api/auth/tokens": { GET: signedIn(listTokens), POST: signedIn(createToken, "token.create") },
  "/api/auth/tokens/:id": { DELETE: signedIn(revokeToken, "token.revoke") },
  "/api/auth/links": { GET: signedIn(listLinks) }, // your Discord and Slack users
  "/api/auth/links/code": { POST: signedIn(createLinkCode, "chat.link_code") },
  "/api/auth/links/:provider/:id": { DELETE: signedIn(unlink, "chat.unlink") },
  // Discord's and Slack's requests, signed by them: the buttons on alerts, and /edgelog link.
  "/api/chat/discord": { POST: open(discordInteraction) },
  "/api/chat/slack": { POST: open(slackAction) },
  "/api/chat/slack/commands": { POST: open(slackCommand) },
  "/api/vocabulary": { GET: open(vocabulary) }, // levels, fields, kinds and limits: nothing secret
  "/api/query": { GET: signedIn(readQuery) },
  "/api/logs": { GET: reads(listLogs, "events.search") },
  "/api/logs/search": { POST: reads(posted("/api/logs", listLogs), "events.search") }, // the GET form's parameters as JSON
  "/api/logs/histogram": { GET: reads(logsHistogram) },
  "/api/logs/fields": { GET: reads(logsFields) }, // ctx and tags keys of recent matches, for facets and suggestions
  "/api/logs/aggregate": { GET: reads(logsAggregate, "events.aggregate"),
    POST: reads(posted("/api/logs/aggregate", logsAggregate), "events.aggregate") },
  "/api/logs/:id": { GET: reads(getLog) },
  "/api/export": { GET: reads(exportLogs, "events.export") },
  "/api/tail": { GET: reads(tailLogs) },
  "/api/stats": { GET: reads(stats) },
  "/api/stats/baseline": { GET: reads(statsBaseline) },
  "/metrics": { GET: open(metrics) }, // METRICS_TOKEN, or admin on every project
  "/api/issues": { GET: reads(listIssues) },
  "/api/issues/:fingerprint": { GET: reads(getIssue), PATCH: byHandler("responder")(updateIssue, "issue.update") },
  "/api/issues/:fingerprint/baseline": { GET: reads(getIssueBaseline) },
  "/api/admin/projects": { GET: signedIn(listProjects), POST: deploymentAdmin(createProject, "project.create") },
  "/api/admin/projects/:slug": {
    GET: viewer(getProject), PATCH: admin(updateProject, "project.update"), DELETE: admin(deleteProject, "project.delete"),
  },
  "/api/admin/projects/:slug/keys": { GET: admin(listKeys), POST: admin(createKey, "key.create") },
  "/api/admin/projects/:slug/alerts": { GET: viewer(listAlerts), POST: admin(createRule, "alert_rule.create") },
  "/api/admin/projects/:slug/alerts/destinations": { POST: admin(createDestination, "alert_destination.create") },
  "/api/admin/projects/:slug/alerts/destinations/:id": { DELETE: admin(deleteDestination, "alert_destination.delete") },
  "/api/admin/projects/:slug/alerts/test": { POST: admin(testAlert, "alert_destination.test") },
  "/api/admin/projects/:slug/alerts/preview": { POST: viewer(previewAlert) },
  "/api/admin/projects/:slug/rules/preview": { POST: viewer(previewRules) },
  "/api/admin/projects/:slug/alerts/deliveries": { GET: viewer(listDeliveries) },
  "/api/admin/projects/:slug/alerts/:id": { PATCH: admin(updateRule, "alert_rule.update"), DELETE: admin(deleteRule, "alert_rule.delete") },
  "/api/admin/projects/:slug/alerts/:id/mute": { POST: responder(muteRule, "alert_rule.mute") },
  "/api/admin/projects/:slug/tickets": { GET: admin(getTracker), PUT: admin(putTracker, "ticket_tracker.set"),
    DELETE: admin(deleteTracker, "ticket_tracker.delete") },
  "/api/admin/projects/:slug/issues/:fingerprint/ticket": { POST: responder(createTicket, "issue.ticket") },
  "/api/admin/projects/:slug/queries": { GET: viewer(listSavedQueries), POST: responder(saveQuery, "saved_query.save") },
  "/api/admin/projects/:slug/queries/:id": { DELETE: responder(deleteSavedQuery, "saved_query.delete") },
  "/api/admin/projects/:slug/forwarders": { GET: admin(listForwarders), POST: admin(createForwarder, "forwarder.create") },
  "/api/admin/projects/:slug/forwarders/:id": { PATCH: admin(updateForwarder, "forwarder.update"),
    DELETE: admin(deleteForwarder, "forwarder.delete") },
  "/api/admin/projects/:slug/sourcemaps": {
    GET: viewer(listSourceMaps), POST: admin(uploadSourceMaps, "sourcemaps.upload"), DELETE: admin(deleteSourceMaps, "sourcemaps.delete"),
  },
  "/api/admin/projects/:slug/sourcemaps/:id": { DELETE: admin(deleteSourceMap, "sourcemaps.delete") },
  "/api/admin/projects/:slug/workers": { GET: admin(listTailWorkers), POST: admin(mapTailWorker, "worker.map") },
  "/api/admin/projects/:slug/workers/:script": { PATCH: admin(updateTailWorker, "worker.update"),
    DELETE: admin(unmapTailWorker, "worker.unmap") },
  "/api/admin/projects/:slug/keys/:id": { PATCH: admin(updateKey, "key.update") },
  "/api/admin/projects/:slug/keys/:id/rotate": { POST: admin(rotateKey, "key.rotate") },
  "/api/admin/projects/:slug/keys/:id/revoke-previous": { POST: admin(revokePreviousSecret, "key.revoke_previous") },
  "/api/admin/projects/:slug/keys/:id/revoke": { POST: admin(revokeKey, "key.revoke") },
  "/api/admin/users": { GET: deploymentAdmin(listUsers), POST: deploymentAdmin(inviteUser, "user.invite") },
  "/api/admin/users/:id": { PATCH: deploymentAdmin(updateUser, "user.update") },
  "/api/admin/audit": { GET: deploymentAdmin(listAudit) },
  "/api/admin/audit/export": { GET: deploymentAdmin(exportAudit, "audit.export") },
  "/api/admin/outcomes": { GET: deploymentAdmin(listOutcomes) },
  "/api/admin/maintain": { POST: deploymentAdmin(maintainNow, "maintenance.run") },
  "/api/admin/purge": { POST: deploymentAdmin(purgeNow, "maintenance.purge") },
  "/api/admin/maintenance": { GET: deploymentAdmin(listRuns) },
  "/api/admin/storage": { GET: deploymentAdmin(storage) },
  // Sentry SDKs (a DSN's path is /<numeric project id>); last, so named routes above win.
  "/api/:project/envelope": { POST: open(sentryEnvelope), OPTIONS: open(preflight) },
  "/api/:project/store": { POST: open(sentryStore), OPTIONS: open(preflight) },
};
