// The audit log: who did what, as whom, to what, from where. Routes name their action in the
// route table and the router records it; handlers add what changed (before → after) with
// noteChange. Entries hold no secret: handlers choose what goes in, never a request's body.
import * as db from "../db/index.js";

const notes = new WeakMap(); // request → {object, projectId, before, after, ...}

/** What a handler changed, for the router's entry: {object, projectId, before, after, detail}. */
export function noteChange(request, note) {
  notes.set(request, { ...(notes.get(request) ?? {}), ...note });
}
export const noteOf = (request) => notes.get(request) ?? null;

const clip = (text, max) => (text === null || text === undefined ? null : String(text).slice(0, max));

/** Appends one entry. `principal` (from identity.js) names the actor, or actor/actorKind do. A
 *  failed write is logged, not thrown: the action it records has already happened. */
export async function recordAudit(env, request, { principal = null, actor = null, actorKind = null, role = null, action,
  outcome = "ok", status = null, projectId = null, object = null, detail = null }) {
  const entry = {
    at: Date.now(), action, outcome, status, projectId, object: clip(object, 300),
    actor: actor ?? principal?.actor ?? "anonymous", actorKind: actorKind ?? actorKindOf(principal),
    role: role ?? principal?.role ?? null,
    detail: detail === null ? null : clip(JSON.stringify(detail), 8000),
    ip: clip(request?.headers.get("cf-connecting-ip"), 64), userAgent: clip(request?.headers.get("user-agent"), 300),
  };
  try {
    await db.appendAudit(env.DB, entry);
  } catch (err) {
    console.error("audit write failed", action, err?.message);
  }
}

function actorKindOf(principal) {
  if (!principal) return "anonymous";
  return { user: "user", token: "token", break_glass: "break_glass", key: "key" }[principal.kind] ?? principal.kind;
}

/** Before → after of a settings object, only the keys that changed. */
export function changed(before, after) {
  const out = { before: {}, after: {} };
  for (const key of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    if (JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key])) {
      out.before[key] = before?.[key] ?? null;
      out.after[key] = after?.[key] ?? null;
    }
  }
  return out;
}

const iso = (ms) => new Date(ms).toISOString();

/** An entry as the API answers it. */
export function presentEntry(row, slugs) {
  return {
    id: row.id, at: iso(row.at), actor: row.actor, actor_kind: row.actor_kind, role: row.role, action: row.action,
    outcome: row.outcome, status: row.status, project: row.project_id === null ? null : slugs.get(row.project_id) ?? String(row.project_id),
    object: row.object, detail: row.detail === null ? null : JSON.parse(row.detail), ip: row.ip, user_agent: row.user_agent,
  };
}
