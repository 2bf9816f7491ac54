// POST /api/chat/slack (the Slack app's Interactivity request URL) and /api/chat/slack/commands
// (its /edgelog slash command). Slack signs each request (HMAC-SHA256 of "v0:<timestamp>:<body>"
// under SLACK_SIGNING_SECRET); a forged one, one whose timestamp is more than five minutes away,
// or a replay is refused. A click on an alert's button acts as the linked edgelog user (linked
// with `/edgelog link <code>`), if their role allows it, and replaces the message through Slack's
// response_url ("Resolved by maria"); the audit log records it.
import * as db from "../../db/index.js";
import { hmacHex, sameSecret } from "../../platform/crypto.js";
import { error, json, readSmallText } from "../../platform/http.js";
import { act, chatPrincipal, redeemCode, shortName } from "../../services/chat-actions.js";
import { recordAudit } from "../../services/audit.js";

const WINDOW_S = 300;
const MAX_BODY = 256 * 1024; // Slack's payloads are a few KB

/** The verified form body, or {response}. */
async function verified(request, env) {
  if (!env.SLACK_SIGNING_SECRET) return { response: error(404, "slack_off", "no Slack app is configured here") };
  const timestamp = request.headers.get("x-slack-request-timestamp") ?? "";
  const signature = request.headers.get("x-slack-signature") ?? "";
  const read = await readSmallText(request, MAX_BODY);
  if (read.response) return { response: read.response };
  const body = read.text;
  const now = Date.now();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > WINDOW_S)
    return { response: error(401, "stale_request", "the request's timestamp is not within five minutes") };
  const expected = `v0=${await hmacHex(env.SLACK_SIGNING_SECRET, `v0:${timestamp}:${body}`)}`;
  if (!(await sameSecret(signature, expected))) return { response: error(401, "bad_signature", "invalid request signature") };
  if (!(await db.firstSeen(env.DB, `slack:${signature}`, now))) return { response: error(401, "replayed", "this request was handled already") };
  return { form: new URLSearchParams(body), now };
}

/** Posts to the message's response_url (Slack's own hooks.slack.com, or what it named). */
const respond = (url, message) => fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(message) })
  .catch((err) => console.error("slack response_url failed", err?.message));

export async function slackAction(request, env, ctx) {
  const v = await verified(request, env);
  if (v.response) return v.response;
  let payload;
  try {
    payload = JSON.parse(v.form.get("payload") ?? "");
  } catch {
    return error(400, "invalid_json", "the payload is not valid JSON");
  }
  if (payload?.type !== "block_actions" || !Array.isArray(payload.actions) || typeof payload.user?.id !== "string")
    return new Response(null, { status: 200 });
  const action = payload.actions[0];
  if (!action || action.action_id === "el:open") return new Response(null, { status: 200 }); // a link: the browser opens it
  const external = `${payload.team?.id ?? ""}:${payload.user.id}`;
  const chatUser = `${payload.user.username ?? payload.user.name ?? ""} (${external})`;
  const url = typeof payload.response_url === "string" && /^https?:\/\//.test(payload.response_url) ? payload.response_url : null;
  const principal = await chatPrincipal(env, "slack", external);
  const work = (async () => {
    if (!principal) {
      if (url) await respond(url, { response_type: "ephemeral", replace_original: false,
        text: "Link your Slack user to edgelog first: make a code on edgelog's Team page, then type /edgelog link <code>." });
      return;
    }
    const done = await act(env, request, { principal, ref: action.value ?? action.action_id, via: "slack", chatUser });
    if (!url) return;
    if (!done.ok) {
      await respond(url, { response_type: "ephemeral", replace_original: false, text: done.text });
      return;
    }
    const message = payload.message ?? {};
    const note = { type: "context", elements: [{ type: "plain_text", text: `${done.text} by ${shortName(principal)}` }] };
    await respond(url, { replace_original: true, text: message.text ?? "", attachments: message.attachments ?? [],
      blocks: [...(message.blocks ?? []), note] });
  })();
  ctx.waitUntil(work); // Slack wants its answer within 3 s; the message is replaced after it
  return new Response(null, { status: 200 });
}

/** /edgelog link <code>: links the Slack user to the edgelog user who made the code. */
export async function slackCommand(request, env) {
  const v = await verified(request, env);
  if (v.response) return v.response;
  const [verb, code] = (v.form.get("text") ?? "").trim().split(/\s+/);
  if (verb !== "link" || !code) return json(200, { response_type: "ephemeral", text: "Usage: /edgelog link <code from edgelog's Team page>" });
  const userId = await redeemCode(env, code, v.now);
  if (userId === null) return json(200, { response_type: "ephemeral", text: "That code is unknown, used or expired: make a new one on edgelog's Team page." });
  const external = `${v.form.get("team_id") ?? ""}:${v.form.get("user_id") ?? ""}`;
  await db.linkChat(env.DB, { provider: "slack", externalId: external, userId, name: v.form.get("user_name"), now: v.now });
  const user = await db.userById(env.DB, userId);
  await recordAudit(env, request, { actor: user.email, actorKind: "slack", action: "chat.link", object: `slack ${external}`,
    detail: { via: "slack", chat_user: `${v.form.get("user_name") ?? ""} (${external})` } });
  return json(200, { response_type: "ephemeral", text: `Linked to ${user.email}. Alerts' buttons now act as you.` });
}
