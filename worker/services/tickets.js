// Tickets: a GitHub or Jira Cloud issue made from an edgelog issue — from the dashboard's button,
// or on its own for a new or regressed page-class issue when the project asks for it. The core
// writes the ticket; this module claims it in D1 (one per issue), calls the tracker and stores
// the ticket's URL on the issue.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { unseal } from "../platform/secrets.js";
import { issueEvidence, presentTicket } from "./issues.js";

const STALE_MS = 60_000;      // a creation unfinished this long is taken over (a retry searches first)
const TIMEOUT_MS = 10_000;
const SHARE_FIELDS = ["endpoint", "release", "env", "component", "source"];
const TRACKER_FRESH_MS = 10_000;
const trackers = new Map(); // project id → { tracker, readAt }: ingest asks often, trackers rarely change

const dashboardUrl = (env) => (env.EDGELOG_PUBLIC_URL ?? "").replace(/\/+$/, "");


/** Forgets the cached tracker of a project (after it changed). */
export function forgetTracker(projectId) {
  trackers.delete(projectId);
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
    const shares = SHARE_FIELDS.filter((f) => detail.distributions[f]?.length).map((f) => ({ field: f, values: detail.distributions[f] }));
    const made = core.ticket({
      tracker: tracker.kind, project: project.slug, dashboard_url: dashboardUrl(env), jira_project: tracker.target,
      jira_issue_type: tracker.issue_type ?? "Bug", issue: row, event: latest ?? {}, suggestion: suggestion?.text ?? null,
      sample: detail.distribution_sample, shares,
    });
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
