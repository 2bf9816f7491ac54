// /api/auth/links: a signed-in user's chat accounts (Discord, Slack) — a one-time code to link one
// (ten minutes, shown once, stored hashed), the linked ones, unlinking.
import * as db from "../db/index.js";
import { sha256Hex } from "../platform/crypto.js";
import { json } from "../platform/http.js";
import { noteChange } from "../services/audit.js";
import { requireUser } from "../services/identity.js";

const CODE_MS = 10 * 60_000;
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I

const user = (request, env) => requireUser(request, env, "linked Discord and Slack users");

/** POST /api/auth/links/code: {code, expires_at}. */
export async function createLinkCode(request, env) {
  const who = await user(request, env);
  if (who.response) return who.response;
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const code = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  const expiresAt = Date.now() + CODE_MS;
  await db.insertLinkCode(env.DB, { hash: await sha256Hex(code), userId: who.principal.userId, expiresAt });
  noteChange(request, { object: who.principal.email });
  return json(201, { code: `${code.slice(0, 4)}-${code.slice(4)}`, expires_at: new Date(expiresAt).toISOString(),
    discord: Boolean(env.DISCORD_PUBLIC_KEY), slack: Boolean(env.SLACK_SIGNING_SECRET) });
}

export async function listLinks(request, env) {
  const who = await user(request, env);
  if (who.response) return who.response;
  const links = await db.chatLinksOf(env.DB, who.principal.userId);
  return json(200, { links: links.map((l) => ({ provider: l.provider, id: l.external_id, name: l.name, linked_at: new Date(l.linked_at).toISOString() })),
    discord: Boolean(env.DISCORD_PUBLIC_KEY), slack: Boolean(env.SLACK_SIGNING_SECRET) });
}

export async function unlink(request, env, _ctx, { provider, id }) {
  const who = await user(request, env);
  if (who.response) return who.response;
  await db.unlinkChat(env.DB, who.principal.userId, provider, id);
  noteChange(request, { object: `${provider} ${id}` });
  return json(200, { unlinked: { provider, id } });
}
