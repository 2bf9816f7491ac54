// POST /api/chat/discord: the Discord application's interactions endpoint. Discord signs each
// request (Ed25519 over timestamp + body, DISCORD_PUBLIC_KEY); a forged, stale (> 5 min) or
// replayed one is refused with 401, as Discord expects. A click on an alert's button acts as the
// edgelog user the Discord user is linked to (a one-time code from the Team page, typed into the
// dialog a first click opens), if their role allows it, and updates the message ("Resolved by
// maria"); the audit log records it.
import * as db from "../../db/index.js";
import { verifyEd25519 } from "../../platform/crypto.js";
import { error, json, readSmallText } from "../../platform/http.js";
import { act, chatPrincipal, redeemCode, shortName } from "../../services/chat-actions.js";
import { recordAudit } from "../../services/audit.js";

const WINDOW_S = 300;
const MAX_BODY = 256 * 1024; // interactions are a few KB
const EPHEMERAL = 64;
const say = (content) => json(200, { type: 4, data: { content, flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
const LINK_DIALOG = { type: 9, data: { custom_id: "el:link", title: "Link your Discord user to edgelog", components: [{ type: 1,
  components: [{ type: 4, custom_id: "code", label: "The code from edgelog's Team page", style: 1, min_length: 8, max_length: 9, required: true }] }] } };

export async function discordInteraction(request, env) {
  if (!env.DISCORD_PUBLIC_KEY) return error(404, "discord_off", "no Discord application is configured here");
  const signature = request.headers.get("x-signature-ed25519");
  const timestamp = request.headers.get("x-signature-timestamp");
  const read = await readSmallText(request, MAX_BODY);
  if (read.response) return read.response;
  const body = read.text;
  if (!signature || !timestamp || !(await verifyEd25519(env.DISCORD_PUBLIC_KEY, signature, timestamp + body).catch(() => false)))
    return error(401, "bad_signature", "invalid request signature");
  const now = Date.now();
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > WINDOW_S)
    return error(401, "stale_request", "the request's timestamp is not within five minutes");
  let interaction;
  try {
    interaction = JSON.parse(body);
  } catch {
    return error(400, "invalid_json", "the body is not valid JSON");
  }
  if (interaction?.type === 1) return json(200, { type: 1 }); // Discord's PING, when the endpoint is saved
  if (typeof interaction?.id !== "string" || !(await db.firstSeen(env.DB, `discord:${interaction.id}`, now)))
    return error(401, "replayed", "this interaction was handled already");
  const who = interaction.member?.user ?? interaction.user;
  if (typeof who?.id !== "string") return error(400, "bad_request", "the interaction names no user");
  const chatUser = `${who.username ?? ""} (${who.id})`;

  if (interaction.type === 5 && interaction.data?.custom_id === "el:link") {
    const code = interaction.data.components?.[0]?.components?.[0]?.value;
    const userId = await redeemCode(env, code, now);
    if (userId === null) return say("That code is unknown, used or expired: make a new one on edgelog's Team page.");
    await db.linkChat(env.DB, { provider: "discord", externalId: who.id, userId, name: who.username ?? null, now });
    const user = await db.userById(env.DB, userId);
    await recordAudit(env, request, { actor: user.email, actorKind: "discord", action: "chat.link", object: `discord ${who.id}`,
      detail: { via: "discord", chat_user: chatUser } });
    return say(`Linked to ${user.email}. Click the button again to act.`);
  }
  if (interaction.type !== 3 || typeof interaction.data?.custom_id !== "string") return say("edgelog answers its alerts' buttons only.");

  const principal = await chatPrincipal(env, "discord", who.id);
  if (!principal) return json(200, LINK_DIALOG); // not linked (or disabled): link first
  const done = await act(env, request, { principal, ref: interaction.data.custom_id, via: "discord", chatUser });
  if (!done.ok) return say(done.text);
  const message = interaction.message ?? {};
  const line = `**${done.text} by ${shortName(principal)}**`;
  const content = `${message.content ?? ""}\n${line}`.trim();
  return json(200, { type: 7, data: { content: content.length > 2000 ? `${content.slice(0, 1990 - line.length)}…\n${line}` : content,
    embeds: message.embeds ?? [], components: message.components ?? [], allowed_mentions: { parse: [] } } });
}
