// Acting on an alert where it landed: a button in a Discord or Slack message names an action on
// an issue or a rule ("el:<action>:<project id>:<fingerprint or rule id>", written by the core);
// the chat user linked to an edgelog user acts as them, if their role on the project allows it.
import * as db from "../db/index.js";
import { sha256Hex } from "../platform/crypto.js";
import { forgetRules } from "./alerting.js";
import { recordAudit } from "./audit.js";
import { rankOf, roleOn } from "./identity.js";
import { changeIssueStatus } from "./issues.js";

const REF = /^el:(resolve|resolve_next|ignore_60|ignore_1440|mute):(\d{1,15}):([0-9a-f]{32}|\d{1,15})$/;
const MUTE_MINUTES = 24 * 60;

/** What a button names: {action, projectId, target}, or null. */
export function readRef(ref) {
  const m = REF.exec(typeof ref === "string" ? ref : "");
  if (!m || (m[1] === "mute") !== /^\d+$/.test(m[3])) return null;
  return { action: m[1], projectId: Number(m[2]), target: m[3] };
}

/** The principal of a linked chat user, or null when the link or the user is gone or disabled. */
export async function chatPrincipal(env, provider, externalId) {
  const link = await db.chatLink(env.DB, provider, externalId);
  if (!link) return null;
  const user = await db.userById(env.DB, link.user_id);
  if (!user || user.disabled_at !== null) return null;
  return { kind: "user", via: provider, actor: user.email, userId: user.id, email: user.email, name: user.name,
    grants: await db.grantsOf(env.DB, user.id), csrf: null };
}

/** Who to name in the message: the user's name, else their email's local part. */
export const shortName = (principal) => principal.name || principal.email.split("@")[0];

/** Acts: {ok: true, text ("Resolved", …)} or {ok: false, text (why not, for the clicker alone)}. */
export async function act(env, request, { principal, ref, via, chatUser }) {
  const parsed = readRef(ref);
  if (!parsed) return { ok: false, text: "This button is not one edgelog knows." };
  const project = (await db.liveProjects(env.DB)).find((p) => p.id === parsed.projectId);
  if (!project) return { ok: false, text: "That project is gone." };
  const role = roleOn(principal, project.id);
  const audit = (action, extra) => recordAudit(env, request, { principal, actorKind: via, role, action, projectId: project.id,
    ...extra, detail: { via, chat_user: chatUser, ...(extra.detail ?? {}) } });
  if (rankOf(role) < rankOf("responder")) {
    await audit(parsed.action === "mute" ? "alert_rule.mute" : "issue.update", { outcome: "denied", object: parsed.target, detail: { needed: "responder" } });
    return { ok: false, text: `${principal.email} holds no responder role on ${project.slug}: ask an admin.` };
  }
  const now = Date.now();
  if (parsed.action === "mute") {
    const rule = await db.muteAlertRule(env.DB, project.id, Number(parsed.target), now + MUTE_MINUTES * 60_000, principal.actor);
    if (!rule) return { ok: false, text: "That rule is gone." };
    forgetRules(project.id);
    await audit("alert_rule.mute", { object: `rule ${parsed.target}`, detail: { after: { muted_until: new Date(now + MUTE_MINUTES * 60_000).toISOString() } } });
    return { ok: true, text: "Rule muted for 24 h" };
  }
  const row = await db.issueByFingerprint(env.DB, project.id, parsed.target);
  if (!row) return { ok: false, text: "That issue is gone (its events aged out)." };
  const minutes = parsed.action.startsWith("ignore_") ? Number(parsed.action.slice(7)) : null;
  const changed = await changeIssueStatus(env, project, row, { status: minutes === null ? "resolved" : "ignored",
    nextRelease: parsed.action === "resolve_next", ignoreMinutes: minutes, now });
  if (changed.error) return { ok: false, text: "Its latest event carries no release: use Resolve." };
  await audit(changed.action, { object: row.fingerprint, detail: { before: changed.before, after: changed.after } });
  return { ok: true, text: changed.release ? `Resolved in the release after ${changed.release}`
    : minutes === null ? "Resolved" : `Ignored for ${minutes === 60 ? "1 h" : "24 h"}` };
}

/** A one-time link code's user, taken: the edgelog user id, or null. */
export async function redeemCode(env, code, now) {
  const clean = String(code ?? "").trim().toUpperCase().replace(/[^A-Z0-9]/g, "");
  if (clean.length !== 8) return null;
  return db.takeLinkCode(env.DB, await sha256Hex(clean), now);
}
