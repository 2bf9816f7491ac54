// /api/admin/projects/:slug/forwarders: where a project's events are forwarded (Elasticsearch or
// OpenSearch `_bulk`, or a generic HTTP endpoint), with a filter; URL and credentials sealed.
import { noteChange } from "../services/audit.js";
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { forwardFilter } from "../services/forwarding.js";
import { EVENTS_PER_SEGMENT, FILTER_FIELDS } from "../platform/vocabulary.js";
import { canSeal, seal, urlHint } from "../platform/secrets.js";
import { projectOr404 } from "../services/projects.js";

const KINDS = ["elasticsearch", "http"];
const MAX_PER_PROJECT = 5;
// An index or data stream name as Elasticsearch takes it: lowercase, no spaces or \ / * ? " < > | , #.
const INDEX = /^[a-z0-9][a-z0-9._+-]{0,199}$/;

/** What the audit log keeps of a forwarder: not its URL or credentials. */
const auditable = ({ kind, label, index, filter, enabled }) => ({ kind, label, index, filter, enabled });
const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const present = (f) => ({
  id: f.id, kind: f.kind, label: f.label, url: f.url_hint, authorized: Boolean(f.auth_enc), index: f.index_name,
  filter: f.filter, enabled: f.enabled === 1, cursor: f.cursor, sent: f.sent, last_sent_at: iso(f.last_sent_at),
  last_attempt_at: iso(f.last_attempt_at), last_error: f.last_error, created_at: iso(f.created_at),
});

const bad = (field, message) => error(400, "bad_request", message, { field });

function validFilter(value) {
  if (value === undefined || value === null || value === "") return { filter: "" };
  if (typeof value !== "string" || value.length > 1000) return { response: bad("filter", "filter is a query string of at most 1000 characters") };
  const text = value.replace(/^\?/, "");
  const { response } = forwardFilter(text);
  if (response) return { response };
  const params = new URLSearchParams(text);
  const unknown = [...params.keys()].find((k) => !["level", "q", ...FILTER_FIELDS].includes(k) && !k.startsWith("not."));
  if (unknown) return { response: bad("filter", `filter: unknown parameter "${unknown}"`) };
  return { filter: text };
}

export async function listForwarders(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  return json(200, { forwarders: (await db.forwarders(env.DB, project.id)).map(present) });
}

export async function createForwarder(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { kind, url, authorization = null, index = "edgelog", label = null, start = "stored" } = body.value;
  if (!KINDS.includes(kind)) return bad("kind", `kind must be one of ${KINDS.join(", ")}`);
  let parsed;
  try { parsed = new URL(url); } catch { parsed = null; }
  if (!parsed || !["https:", "http:"].includes(parsed.protocol) || url.length > 2000) return bad("url", "url must be an http(s) URL");
  if (authorization !== null && (typeof authorization !== "string" || !authorization.trim() || authorization.length > 2000 || /[\r\n]/.test(authorization)))
    return bad("authorization", "authorization is the Authorization header's value (\"ApiKey …\", \"Basic …\", \"Bearer …\")");
  if (kind === "elasticsearch" && (typeof index !== "string" || !INDEX.test(index)))
    return bad("index", "index must be lowercase letters, digits and . _ + - (at most 200)");
  if (label !== null && (typeof label !== "string" || label.length > 100)) return bad("label", "label must be a string of at most 100 characters");
  if (!["stored", "now"].includes(start)) return bad("start", "start is stored (everything still kept) or now");
  const filter = validFilter(body.value.filter);
  if (filter.response) return filter.response;
  if ((await db.forwarders(env.DB, project.id)).length >= MAX_PER_PROJECT)
    return error(409, "too_many_forwarders", `a project has at most ${MAX_PER_PROJECT} forwarders`);
  if (!(await canSeal(env))) return error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before adding forwarders");
  const cursor = start === "now" ? await db.lastEventIdStored(env.DB, EVENTS_PER_SEGMENT) : -1;
  const row = await db.insertForwarder(env.DB, project.id, {
    kind, label, urlEnc: await seal(env, url), urlHint: urlHint(url, { tail: 0 }), authEnc: authorization ? await seal(env, authorization) : null,
    index: kind === "elasticsearch" ? index : null, filter: filter.filter, cursor,
  }, Date.now());
  noteChange(request, { projectId: project.id, object: `forwarder ${row.id}`, after: auditable(present(row)) });
  return json(201, { forwarder: present(row) });
}

export async function updateForwarder(request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const current = (await db.forwarders(env.DB, project.id)).find((f) => String(f.id) === id);
  if (!current) return error(404, "not_found", `no forwarder ${id}`);
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const unknown = Object.keys(body.value).find((k) => !["enabled", "filter", "label"].includes(k));
  if (unknown) return bad(unknown, `unknown field "${unknown}"`);
  const enabled = body.value.enabled ?? current.enabled === 1;
  if (typeof enabled !== "boolean") return bad("enabled", "enabled is true or false");
  const filter = "filter" in body.value ? validFilter(body.value.filter) : { filter: current.filter };
  if (filter.response) return filter.response;
  const label = "label" in body.value ? body.value.label : current.label;
  if (label !== null && (typeof label !== "string" || label.length > 100)) return bad("label", "label must be a string of at most 100 characters");
  const row = await db.updateForwarder(env.DB, project.id, current.id, { enabled, filter: filter.filter, label });
  noteChange(request, { projectId: project.id, object: `forwarder ${row.id}`, after: auditable(present(row)) });
  return json(200, { forwarder: present(row) });
}

export async function deleteForwarder(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteForwarder(env.DB, project.id, Number(id));
  return result.meta.changes ? json(200, { deleted: Number(id) }) : error(404, "not_found", `no forwarder ${id}`);
}
