// Tickets: a GitHub or Jira Cloud issue made from an edgelog issue — from the dashboard's button,
// or on its own for a new or regressed page-class issue when the project asks for it. The core
// writes the ticket; this module claims it in D1 (one per issue), calls the tracker and stores
// the ticket's URL on the issue.
import * as db from "./db/index.js";
import { core } from "./core.js";
import { foldPending } from "./aggregates.js";
import { error, json, readJsonObject } from "./http.js";
import { issueEvidence, presentTicket } from "./issues.js";
import { canSeal, seal, unseal } from "./secrets.js";
import { projectOr404 } from "./projects.js";

const KINDS = ["github", "jira"];
const DEFAULT_BASE = { github: "https://api.github.com" };
const STALE_MS = 60_000;      // a creation unfinished this long is taken over (a retry searches first)
const TIMEOUT_MS = 10_000;
const SHARE_FIELDS = ["endpoint", "release", "env", "component", "source"];
const TRACKER_FRESH_MS = 10_000;
const trackers = new Map(); // project id → { tracker, readAt }: ingest asks often, trackers rarely change

const bad = (field, message) => error(400, "bad_request", message, { field });
const dashboardUrl = (env) => (env.EDGELOG_PUBLIC_URL ?? "").replace(/\/+$/, "");

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
  trackers.delete(project.id);
  return json(200, { tracker: presentTracker(row) });
}

export async function deleteTracker(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.deleteTicketTracker(env.DB, project.id);
  trackers.delete(project.id);
  return result.meta.changes ? json(200, { deleted: true }) : error(404, "not_found", "no tracker configured");
}

function trackerHeaders(tracker, token) {
  const headers = { "Content-Type": "application/json", Accept: "application/json", "User-Agent": "edgelog" };
  if (tracker.kind === "github") {
    headers.Accept = "application/vnd.github+json";
    headers["X-GitHub-Api-Version"] = "2022-11-28";
    headers.Authorization = `Bearer ${token}`;
  } else {
    headers.Authorization = `Basic ${btoa(`${tracker.account}:${token}`)}`;
  }
  return headers;
}

// A ticket the tracker already holds for this issue (after a creation whose answer was lost).
async function findExisting(tracker, headers, made) {
  const url = tracker.kind === "github"
    ? `${tracker.base_url}/search/issues?q=${encodeURIComponent(`"${made.marker}" repo:${tracker.target} in:body`)}`
    : `${tracker.base_url}/rest/api/3/search/jql?fields=key&maxResults=1&jql=${encodeURIComponent(`labels = "${made.label}"`)}`;
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`the tracker's search answered HTTP ${res.status}`);
  const found = await res.json();
  if (tracker.kind === "github") {
    const item = found.items?.[0];
    return item ? { url: item.html_url, key: `${tracker.target}#${item.number}` } : null;
  }
  const issue = found.issues?.[0];
  return issue ? { url: `${tracker.base_url}/browse/${issue.key}`, key: issue.key } : null;
}

async function postTicket(tracker, headers, made) {
  const url = tracker.kind === "github" ? `${tracker.base_url}/repos/${tracker.target}/issues` : `${tracker.base_url}/rest/api/2/issue`;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(made.body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text().catch(() => "");
  if (!res.ok) throw Object.assign(new Error(`the tracker answered HTTP ${res.status}: ${text.slice(0, 200)}`), { status: res.status });
  const answer = JSON.parse(text);
  return tracker.kind === "github"
    ? { url: answer.html_url, key: `${tracker.target}#${answer.number}` }
    : { url: `${tracker.base_url}/browse/${answer.key}`, key: answer.key };
}

/** Makes the ticket of one issue. Answers {ticket, created} or {error: {status, code, message}}. */
export async function makeTicket(env, project, fingerprint, { auto = false, now = Date.now() } = {}) {
  const tracker = await db.ticketTracker(env.DB, project.id);
  if (!tracker) return { error: { status: 409, code: "no_tracker", message: "configure a ticket tracker for this project first" } };
  await foldPending(env); // the issue's counts include what was just stored
  const row = await db.issueByFingerprint(env.DB, project.id, fingerprint);
  if (!row) return { error: { status: 404, code: "not_found", message: "no such issue" } };
  const claim = await db.claimTicket(env.DB, project.id, fingerprint, { now, staleMs: STALE_MS, auto });
  if (!claim) {
    const ticket = await db.ticketOf(env.DB, project.id, fingerprint);
    return ticket.status === "created" ? { ticket: presentTicket(ticket), created: false }
      : { error: { status: 409, code: "ticket_pending", message: "this issue's ticket is being created; try again in a minute" } };
  }
  try {
    const { latest, detail, suggestion } = await issueEvidence(env, project, row);
    const shares = Object.fromEntries(SHARE_FIELDS.filter((f) => detail.distributions[f]?.length).map((f) => [f, detail.distributions[f]]));
    const made = core.alerts({ ticket: {
      tracker: tracker.kind, project: project.slug, dashboard_url: dashboardUrl(env), jira_project: tracker.target,
      jira_issue_type: tracker.issue_type ?? "Bug", issue: row, event: latest ?? {}, suggestion: suggestion?.text ?? null,
      sample: detail.distribution_sample, shares,
    } });
    const headers = trackerHeaders(tracker, await unseal(env, tracker.token_enc));
    const found = claim.retry ? await findExisting(tracker, headers, made) : null;
    const ticket = found ?? (await postTicket(tracker, headers, made));
    await db.ticketCreated(env.DB, project.id, fingerprint, { tracker: tracker.kind, ...ticket, now: Date.now() });
    return { ticket: presentTicket(await db.ticketOf(env.DB, project.id, fingerprint)), created: !found };
  } catch (err) {
    const message = String(err?.message ?? err).slice(0, 300);
    await db.ticketFailed(env.DB, project.id, fingerprint, message);
    return { error: { status: 502, code: "tracker_failed", message, tracker_status: err?.status ?? null } };
  }
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

async function autoTracker(env, projectId, now) {
  const hit = trackers.get(projectId);
  if (hit && now - hit.readAt < TRACKER_FRESH_MS) return hit.tracker;
  const tracker = await db.ticketTracker(env.DB, projectId);
  if (trackers.size >= 1000) trackers.delete(trackers.keys().next().value);
  trackers.set(projectId, { tracker, readAt: now });
  return tracker;
}

/** After an accepted request: a ticket for each new or regressed issue the core triaged `page`,
 *  when the project's tracker says so. `issues` is the core's summary. */
export async function ticketsOnIngest(env, project, issues, { created, regressed }, now) {
  const paged = issues.filter((i) => i.page && (created.includes(i.fingerprint) || regressed.includes(i.fingerprint)));
  if (!paged.length) return;
  const tracker = await autoTracker(env, project.id, now);
  if (!tracker || tracker.auto_page !== 1) return;
  for (const issue of paged) {
    const made = await makeTicket(env, project, issue.fingerprint, { auto: true, now });
    if (made.error && made.error.code !== "ticket_pending") console.error("ticket failed", issue.fingerprint, made.error.message);
  }
}
