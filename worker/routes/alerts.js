// /api/admin/projects/:slug/alerts: rules, destinations, a test message and the delivery log.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { forgetRules, sendTest } from "../services/alerting.js";
import { canSeal, seal, urlHint } from "../platform/secrets.js";
import { ALERT_KINDS, DESTINATION_KINDS } from "../platform/vocabulary.js";
import { validRule } from "../services/alert-rules.js";
import { changed, noteChange } from "../services/audit.js";
import { identify } from "../services/identity.js";
import { projectOr404 } from "../services/projects.js";

const presentRule = (r) => ({ ...r, enabled: r.enabled === 1, created_at: new Date(r.created_at).toISOString(), project_id: undefined,
  muted_until: r.muted_until > Date.now() ? new Date(r.muted_until).toISOString() : null, muted_by: r.muted_until > Date.now() ? r.muted_by : null });
const MAX_MUTE_MINUTES = 30 * 24 * 60;
const presentDestination = (d) => ({ id: d.id, kind: d.kind, label: d.label, url: d.url_hint, signed: Boolean(d.secret_enc),
  interactive: d.interactive === 1, enabled: d.enabled === 1, created_at: new Date(d.created_at).toISOString() });

export async function listAlerts(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const [rules, destinations] = await Promise.all([db.alertRules(env.DB, project.id), db.alertDestinations(env.DB, project.id)]);
  return json(200, { rules: rules.map(presentRule), destinations: destinations.map(presentDestination) });
}

export async function createRule(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  if (!ALERT_KINDS.includes(body.value.kind))
    return error(400, "bad_request", `kind must be one of ${ALERT_KINDS.join(", ")}`, { field: "kind" });
  const valid = validRule(body.value);
  if (valid.response) return valid.response;
  if (valid.rule.scope === "issue" && body.value.kind !== "anomaly")
    return error(400, "bad_request", "scope issue is for anomaly rules (the other kinds are per issue or per project by nature)", { field: "scope" });
  if (body.value.kind === "silence" && valid.rule.silence_minutes < 1)
    return error(400, "bad_request", "a silence rule needs silence_minutes", { field: "silence_minutes" });
  const rule = await db.insertAlertRule(env.DB, project.id, { kind: body.value.kind, ...valid.rule }, Date.now());
  forgetRules(project.id);
  noteChange(request, { projectId: project.id, object: `rule ${rule.id}`, after: presentRule(rule) });
  return json(201, { rule: presentRule(rule) });
}

export async function updateRule(request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const current = (await db.alertRules(env.DB, project.id)).find((r) => String(r.id) === id);
  if (!current) return error(404, "not_found", `no rule ${id}`);
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const valid = validRule(body.value, { ...current, enabled: current.enabled === 1 });
  if (valid.response) return valid.response;
  if (valid.rule.scope === "issue" && current.kind !== "anomaly")
    return error(400, "bad_request", "scope issue is for anomaly rules", { field: "scope" });
  const rule = await db.updateAlertRule(env.DB, project.id, current.id, valid.rule);
  forgetRules(project.id);
  noteChange(request, { projectId: project.id, object: `rule ${id}`, ...changed(presentRule(current), presentRule(rule)) });
  return json(200, { rule: presentRule(rule) });
}

/** POST …/alerts/:id/mute {"minutes"} (0 unmutes): the rule sends nothing until then. A responder's
 *  action, like resolving an issue. */
export async function muteRule(request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { minutes } = body.value;
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_MUTE_MINUTES)
    return error(400, "bad_request", `minutes is a whole number from 0 (unmute) to ${MAX_MUTE_MINUTES}`, { field: "minutes" });
  const { principal } = await identify(request, env);
  const until = minutes === 0 ? null : Date.now() + minutes * 60_000;
  const rule = /^\d+$/.test(id) ? await db.muteAlertRule(env.DB, project.id, Number(id), until, principal.actor) : null;
  if (!rule) return error(404, "not_found", `no rule ${id}`);
  forgetRules(project.id);
  noteChange(request, { projectId: project.id, object: `rule ${id}`, action: minutes ? "alert_rule.mute" : "alert_rule.unmute",
    after: { muted_until: until === null ? null : new Date(until).toISOString() } });
  return json(200, { rule: presentRule(rule) });
}

export async function deleteRule(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  if (!(await db.alertRules(env.DB, project.id)).some((r) => String(r.id) === id)) return error(404, "not_found", `no rule ${id}`);
  await db.deleteAlertRule(env.DB, project.id, Number(id));
  forgetRules(project.id);
  return json(200, { deleted: Number(id) });
}

export async function createDestination(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { kind, url, label = null, secret = null, interactive = false } = body.value;
  if (!DESTINATION_KINDS.includes(kind)) return error(400, "bad_request", `kind must be one of ${DESTINATION_KINDS.join(", ")}`, { field: "kind" });
  let parsed;
  try { parsed = new URL(url); } catch { parsed = null; }
  if (!parsed || !["https:", "http:"].includes(parsed.protocol) || url.length > 2000)
    return error(400, "bad_request", "url must be an http(s) URL", { field: "url" });
  if (label !== null && (typeof label !== "string" || label.length > 100))
    return error(400, "bad_request", "label must be a string of at most 100 characters", { field: "label" });
  if (secret !== null && (kind !== "webhook" || typeof secret !== "string" || secret.length < 16 || secret.length > 200))
    return error(400, "bad_request", "secret (16 to 200 characters) signs generic webhooks only", { field: "secret" });
  // A Discord webhook the Discord application made can carry buttons (the app answers their clicks).
  if (typeof interactive !== "boolean" || (interactive && kind !== "discord"))
    return error(400, "bad_request", "interactive (true or false) is for Discord webhooks made by edgelog's Discord application", { field: "interactive" });
  if (!(await canSeal(env))) return error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before adding destinations");
  const row = await db.insertAlertDestination(env.DB, project.id, {
    kind, label, urlEnc: await seal(env, url), urlHint: urlHint(url), secretEnc: secret ? await seal(env, secret) : null, interactive,
  }, Date.now());
  noteChange(request, { projectId: project.id, object: `destination ${row.id}`, after: { kind, label, interactive, signed: Boolean(secret) } });
  return json(201, { destination: presentDestination({ ...row, secret_enc: secret }) });
}

export async function deleteDestination(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteAlertDestination(env.DB, project.id, Number(id));
  return result.meta.changes ? json(200, { deleted: Number(id) }) : error(404, "not_found", `no destination ${id}`);
}

export async function testAlert(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  return json(200, { results: await sendTest(env, project) });
}

export async function listDeliveries(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const limit = Math.min(Number(new URL(request.url).searchParams.get("limit") ?? 100) || 100, 500);
  const rows = await db.listDeliveries(env.DB, project.id, limit);
  return json(200, { deliveries: rows.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() })) });
}
