// /api/admin/projects/:slug/tickets (the project's tracker) and .../issues/:fingerprint/ticket (a
// ticket made from the dashboard's button). Making the ticket is services/tickets.js.
import { noteChange } from "../services/audit.js";
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { canSeal, seal } from "../platform/secrets.js";
import { projectOr404 } from "../services/projects.js";
import { forgetTracker, makeTicket } from "../services/tickets.js";

const KINDS = ["github", "jira"];
const DEFAULT_BASE = { github: "https://api.github.com" };
const bad = (field, message) => error(400, "bad_request", message, { field });
const presentTracker = (t) => t && ({ kind: t.kind, base_url: t.base_url, target: t.target, issue_type: t.issue_type,
  account: t.account, auto_page: t.auto_page === 1, created_at: new Date(t.created_at).toISOString() });

export async function getTracker(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  return json(200, { tracker: presentTracker(await db.ticketTracker(env.DB, project.id)) ?? null });
}

export async function putTracker(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { kind, token, target, account = null, issue_type: issueType = "Bug", auto_page: autoPage = false } = body.value;
  if (!KINDS.includes(kind)) return bad("kind", `kind must be one of ${KINDS.join(", ")}`);
  const baseUrl = String(body.value.base_url ?? DEFAULT_BASE[kind] ?? "").replace(/\/+$/, "");
  let parsed;
  try { parsed = new URL(baseUrl); } catch { parsed = null; }
  if (!parsed || !["https:", "http:"].includes(parsed.protocol) || baseUrl.length > 500)
    return bad("base_url", kind === "jira" ? "base_url is your site, https://<site>.atlassian.net" : "base_url must be an http(s) URL");
  if (kind === "github" && (typeof target !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(target)))
    return bad("target", "target is the repository, owner/name");
  if (kind === "jira" && (typeof target !== "string" || !/^[A-Z][A-Z0-9_]{0,49}$/.test(target)))
    return bad("target", "target is the Jira project key, e.g. OPS");
  if (kind === "jira" && (typeof account !== "string" || !account.includes("@") || account.length > 200))
    return bad("account", "account is the Atlassian account's email (the API token's owner)");
  if (kind === "jira" && (typeof issueType !== "string" || !issueType || issueType.length > 60))
    return bad("issue_type", "issue_type is the Jira issue type's name, e.g. Bug");
  if (typeof token !== "string" || token.length < 8 || token.length > 500 || /\s/.test(token))
    return bad("token", kind === "github" ? "token is a GitHub token allowed to create issues in the repository" : "token is an Atlassian API token");
  if (typeof autoPage !== "boolean") return bad("auto_page", "auto_page is true or false");
  if (!(await canSeal(env))) return error(503, "not_configured", "set the EDGELOG_MASTER_KEY secret before adding a tracker");
  const row = await db.putTicketTracker(env.DB, project.id, { kind, baseUrl, target, account: kind === "jira" ? account : null,
    issueType: kind === "jira" ? issueType : null, tokenEnc: await seal(env, token), autoPage }, Date.now());
  forgetTracker(project.id);
  noteChange(request, { projectId: project.id, object: `${kind} tracker`, after: presentTracker(row) }); // never the token
  return json(200, { tracker: presentTracker(row) });
}

export async function deleteTracker(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteTicketTracker(env.DB, project.id);
  forgetTracker(project.id);
  return result.meta.changes ? json(200, { deleted: true }) : error(404, "not_found", "no tracker configured");
}

/** POST /api/admin/projects/:slug/issues/:fingerprint/ticket */
export async function createTicket(_request, env, _ctx, { slug, fingerprint }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  if (!/^[0-9a-f]{32}$/.test(fingerprint)) return error(404, "not_found", "no such issue");
  const made = await makeTicket(env, project, fingerprint);
  if (made.error) {
    const { status, code, message, ...extra } = made.error;
    return error(status, code, message, extra);
  }
  return json(made.created ? 201 : 200, { ticket: made.ticket, created: made.created });
}

