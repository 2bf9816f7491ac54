// Acting where the alert lands: alerts carry buttons to Discord (an application's webhook) and
// Slack; a click, signed as Discord (Ed25519) or Slack (HMAC) sign them, acts as the linked
// edgelog user if their role allows, updates the message and writes the audit log. Forged, stale
// and replayed requests are refused. A real HTTP server on 127.0.0.1 stands in for both services.
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { startHook, until } from "../support/hooks.js";
import { startIdp } from "../support/idp.js";

const SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const discordKeys = generateKeyPairSync("ed25519");
const strangerKeys = generateKeyPairSync("ed25519");
const publicHex = Buffer.from(discordKeys.publicKey.export({ format: "jwk" }).x, "base64url").toString("hex");

let w, idp, hook, project, fingerprint, ruleId, discordAlert, slackAlert;
let seq = 0;

const json = (method, body) => ({ method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
const asUser = async (email, path, init = {}) => {
  const jwt = idp.accessToken(email);
  const session = await (await w.fetch("/api/auth/session", { headers: { "Cf-Access-Jwt-Assertion": jwt } })).json();
  return w.fetch(path, { ...init, headers: { ...(init.headers ?? {}), "Cf-Access-Jwt-Assertion": jwt, "X-CSRF-Token": session.csrf_token } });
};
const linkCode = async (email) => (await (await asUser(email, "/api/auth/links/code", { method: "POST" })).json()).code;

/** Discord's request: the body signed over timestamp + body. */
function discord(interaction, { keys = discordKeys, at = Math.floor(Date.now() / 1000) } = {}) {
  const body = JSON.stringify({ id: `i${++seq}`, application_id: "app", token: "t", version: 1, ...interaction });
  const signature = sign(null, Buffer.from(`${at}${body}`), keys.privateKey).toString("hex");
  return { body, headers: { "X-Signature-Ed25519": signature, "X-Signature-Timestamp": String(at), "Content-Type": "application/json" } };
}
const send = ({ body, headers }) => w.fetch("/api/chat/discord", { method: "POST", body, headers });
const click = (user, customId) => discord({ type: 3, member: { user: { id: user.id, username: user.name } },
  data: { custom_id: customId, component_type: 2 }, message: { content: discordAlert.json.content, embeds: discordAlert.json.embeds,
    components: discordAlert.json.components } });

/** Slack's request: "v0:<ts>:<body>" under the signing secret. */
function slack(path, form, { secret = SLACK_SECRET, at = Math.floor(Date.now() / 1000) } = {}) {
  const body = new URLSearchParams(form).toString();
  const sig = `v0=${createHmac("sha256", secret).update(`v0:${at}:${body}`).digest("hex")}`;
  return w.fetch(path, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded",
    "X-Slack-Request-Timestamp": String(at), "X-Slack-Signature": sig } });
}

const maria = { id: "300000000000000001", name: "maria_d" };
const vic = { id: "300000000000000002", name: "vic_d" };

before(async () => {
  idp = await startIdp();
  hook = await startHook();
  w = await startWorker({ bindings: { ACCESS_TEAM_DOMAIN: idp.origin, ACCESS_AUD: idp.aud, DISCORD_PUBLIC_KEY: publicHex,
    SLACK_SIGNING_SECRET: SLACK_SECRET, EDGELOG_PUBLIC_URL: "https://logger.example.com" } });
  project = await w.createProject("chat");
  const admin = (path, method, body) => w.admin(path, json(method, body));
  assert.equal((await admin("/api/admin/users", "POST", { email: "maria@example.com", grants: [{ project: "chat", role: "responder" }] })).status, 201);
  assert.equal((await admin("/api/admin/users", "POST", { email: "vic@example.com", grants: [{ project: "chat", role: "viewer" }] })).status, 201);
  ruleId = (await (await admin("/api/admin/projects/chat/alerts", "POST", { kind: "spike", threshold: 1, window_s: 60, cooldown_s: 3600 })).json()).rule.id;
  for (const [kind, path, extra] of [["discord", "/api/webhooks/1/tok", { interactive: true }], ["slack", "/services/T/B/x", {}], ["webhook", "/plain", {}]])
    assert.equal((await admin("/api/admin/projects/chat/alerts/destinations", "POST", { kind, url: hook.url(path), ...extra })).status, 201);
  assert.equal((await w.send(project, [{ level: "error", message: "card declined", release: "1.4.2" }])).status, 202);
  assert.ok(await until(() => hook.received.length >= 3, 10_000), `${hook.received.length} deliveries`);
  discordAlert = hook.received.find((r) => r.path.startsWith("/api/webhooks/1/tok"));
  slackAlert = hook.on("/services/T/B/x")[0];
  fingerprint = discordAlert.json.components[0].components[0].custom_id.split(":")[3];
});
after(async () => {
  await w?.dispose();
  await hook?.close();
  await idp?.close();
});

const issueStatus = async () => (await (await w.admin(`/api/issues/${fingerprint}?project=chat`)).json()).issue.status;

describe("alerts carry buttons", () => {
  test("Discord: asked to show components (the app's webhook), one button per action, and Open", () => {
    assert.equal(new URL(discordAlert.path, "http://x").searchParams.get("with_components"), "true");
    const ids = discordAlert.json.components[0].components.map((b) => b.custom_id);
    assert.deepEqual(ids, ["resolve", "resolve_next", "ignore_60", "ignore_1440"].map((a) => `el:${a}:${project.project.id}:${fingerprint}`)
      .concat(`el:mute:${project.project.id}:${ruleId}`));
    assert.match(discordAlert.json.components[1].components[0].url, /^https:\/\/logger\.example\.com\/#\/explore\?project=chat/);
  });

  test("Slack: Block Kit buttons; a plain webhook gets none", () => {
    const actions = slackAlert.json.blocks.find((b) => b.type === "actions").elements;
    assert.equal(actions[0].value, `el:resolve:${project.project.id}:${fingerprint}`);
    assert.equal(hook.on("/plain")[0].json.components, undefined);
    assert.equal(hook.on("/plain")[0].json.blocks, undefined);
  });
});

describe("Discord", () => {
  test("answers Discord's PING; refuses forged, stale and replayed requests with 401", async () => {
    assert.deepEqual(await (await send(discord({ type: 1 }))).json(), { type: 1 });
    const forged = await send(discord({ type: 3, member: { user: maria }, data: { custom_id: "x" } }, { keys: strangerKeys }));
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).error.code, "bad_signature");
    const stale = await send(discord({ type: 3, member: { user: maria }, data: { custom_id: "x" } }, { at: Math.floor(Date.now() / 1000) - 600 }));
    assert.equal((await stale.json()).error.code, "stale_request");
    const tampered = discord({ type: 3, member: { user: maria }, data: { custom_id: "x" } });
    assert.equal((await send({ ...tampered, body: tampered.body.replace('"x"', '"y"') })).status, 401);
    const once = discord({ type: 3, member: { user: maria }, data: { custom_id: "el:nothing" } });
    assert.equal((await send(once)).status, 200);
    const replay = await send(once);
    assert.equal(replay.status, 401);
    assert.equal((await replay.json()).error.code, "replayed");
    assert.equal((await send({ body: "{}", headers: { "Content-Type": "application/json" } })).status, 401);
    const huge = await send({ body: "x".repeat(300 * 1024), headers: { "X-Signature-Ed25519": "00", "X-Signature-Timestamp": "1" } });
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).error.code, "body_too_large");
  });

  test("an unlinked user's click opens the link dialog; the code from the Team page links them", async () => {
    const first = await (await send(click(maria, `el:resolve:${project.project.id}:${fingerprint}`))).json();
    assert.equal(first.type, 9);
    assert.equal(first.data.custom_id, "el:link");
    assert.equal(await issueStatus(), "new");
    const code = await linkCode("maria@example.com");
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const submit = (value) => send(discord({ type: 5, member: { user: maria },
      data: { custom_id: "el:link", components: [{ type: 1, components: [{ type: 4, custom_id: "code", value }] }] } }));
    const linked = await (await submit(code)).json();
    assert.equal(linked.type, 4);
    assert.equal(linked.data.flags, 64);
    assert.match(linked.data.content, /^Linked to maria@example\.com/);
    assert.match((await (await submit(code)).json()).data.content, /unknown, used or expired/); // once only
    const { links } = await (await asUser("maria@example.com", "/api/auth/links")).json();
    assert.deepEqual(links.map((l) => [l.provider, l.id]), [["discord", maria.id]]);
  });

  test("Resolve from the message: the issue is resolved, the message says by whom, the audit log has it", async () => {
    const res = await (await send(click(maria, `el:resolve:${project.project.id}:${fingerprint}`))).json();
    assert.equal(res.type, 7);
    assert.match(res.data.content, /\*\*Resolved by maria\*\*$/);
    assert.deepEqual(res.data.embeds, discordAlert.json.embeds);
    assert.equal(await issueStatus(), "resolved");
    const { entries } = await (await w.admin("/api/admin/audit?action=issue.resolve")).json();
    assert.equal(entries[0].actor, "maria@example.com");
    assert.equal(entries[0].actor_kind, "discord");
    assert.equal(entries[0].role, "responder");
    assert.equal(entries[0].detail.chat_user, `${maria.name} (${maria.id})`);
    assert.deepEqual(entries[0].detail.before, { status: "new" });
  });

  test("Resolve in next release and Mute rule", async () => {
    const next = await (await send(click(maria, `el:resolve_next:${project.project.id}:${fingerprint}`))).json();
    assert.match(next.data.content, /Resolved in the release after 1\.4\.2 by maria/);
    const mute = await (await send(click(maria, `el:mute:${project.project.id}:${ruleId}`))).json();
    assert.match(mute.data.content, /Rule muted for 24 h by maria/);
    const { rules } = await (await w.admin("/api/admin/projects/chat/alerts")).json();
    const rule = rules.find((r) => r.id === ruleId);
    assert.equal(rule.muted_by, "maria@example.com");
    assert.ok(Date.parse(rule.muted_until) > Date.now() + 23 * 3_600_000);
  });

  test("a viewer's click is refused to them alone and recorded; a forged button acts on nothing", async () => {
    const code = await linkCode("vic@example.com");
    await send(discord({ type: 5, member: { user: vic }, data: { custom_id: "el:link", components: [{ type: 1, components: [{ type: 4, value: code }] }] } }));
    const res = await (await send(click(vic, `el:ignore_60:${project.project.id}:${fingerprint}`))).json();
    assert.equal(res.type, 4);
    assert.equal(res.data.flags, 64);
    assert.match(res.data.content, /vic@example\.com holds no responder role on chat/);
    const denied = (await (await w.admin("/api/admin/audit?outcome=denied&actor=vic@example.com")).json()).entries;
    assert.equal(denied[0].actor_kind, "discord");
    const other = await (await send(click(maria, `el:resolve:999:${fingerprint}`))).json();
    assert.match(other.data.content, /project is gone/);
  });
});

describe("Slack", () => {
  const slackUser = { id: "U2CERLKJA", username: "maria.s", team_id: "T1DC2JH3J" };
  // Each click is its own request (Slack's trigger_id and action_ts differ).
  const action = (value) => ({ payload: JSON.stringify({ type: "block_actions", trigger_id: `trigger-${++seq}`, user: slackUser, team: { id: "T1DC2JH3J" },
    actions: [{ action_id: value, value, type: "button" }], response_url: hook.url("/slack-response"),
    message: { text: slackAlert.json.text, blocks: slackAlert.json.blocks, attachments: slackAlert.json.attachments } }) });

  test("refuses a wrong signature, a stale timestamp and a replay", async () => {
    const wrong = await slack("/api/chat/slack", action("el:open"), { secret: "not-the-secret-000000000000000000" });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).error.code, "bad_signature");
    const huge = await slack("/api/chat/slack", { payload: "x".repeat(300 * 1024) });
    assert.equal(huge.status, 413);
    const stale = await slack("/api/chat/slack", action("el:open"), { at: Math.floor(Date.now() / 1000) - 301 });
    assert.equal((await stale.json()).error.code, "stale_request");
    const at = Math.floor(Date.now() / 1000) - 5;
    assert.equal((await slack("/api/chat/slack/commands", { text: "help" }, { at })).status, 200);
    assert.equal((await slack("/api/chat/slack/commands", { text: "help" }, { at })).status, 401); // the same request again
  });

  test("/edgelog link <code>, then Ignore for 1 h replaces the message; an hour later the issue is back", async () => {
    const before = hook.on("/slack-response").length;
    await slack("/api/chat/slack", action(`el:ignore_60:${project.project.id}:${fingerprint}`));
    assert.ok(await until(() => hook.on("/slack-response").length > before));
    assert.match(hook.on("/slack-response").at(-1).json.text, /Link your Slack user/);
    const code = await linkCode("maria@example.com");
    const linked = await (await slack("/api/chat/slack/commands", { command: "/edgelog", text: `link ${code}`, user_id: slackUser.id,
      user_name: "maria.s", team_id: "T1DC2JH3J" })).json();
    assert.equal(linked.response_type, "ephemeral");
    assert.match(linked.text, /^Linked to maria@example\.com/);
    const n = hook.on("/slack-response").length;
    assert.equal((await slack("/api/chat/slack", action(`el:ignore_60:${project.project.id}:${fingerprint}`))).status, 200);
    assert.ok(await until(() => hook.on("/slack-response").length > n));
    const replaced = hook.on("/slack-response").at(-1).json;
    assert.equal(replaced.replace_original, true);
    assert.equal(replaced.blocks.at(-1).elements[0].text, "Ignored for 1 h by maria");
    assert.equal(await issueStatus(), "ignored");
    const entry = (await (await w.admin("/api/admin/audit?action=issue.ignore")).json()).entries[0];
    assert.equal(entry.actor_kind, "slack");
    // An hour later (set back here), maintenance brings the issue back.
    await w.db.prepare("UPDATE issues SET ignored_until = ?1 WHERE fingerprint = ?2").bind(Date.now() - 1000, fingerprint).run();
    const report = await (await w.admin("/api/admin/maintain", { method: "POST" })).json();
    assert.equal(report.jobs.unignore.issues, 1);
    assert.equal(await issueStatus(), "ongoing");
  });

  test("PATCH /api/issues ignores for a while too", async () => {
    const res = await w.admin(`/api/issues/${fingerprint}?project=chat`, json("PATCH", { status: "ignore", ignore_minutes: 1440 }));
    assert.equal(res.status, 200);
    const row = await w.db.prepare("SELECT ignored_until FROM issues WHERE fingerprint = ?1").bind(fingerprint).first();
    assert.ok(Math.abs(row.ignored_until - Date.now() - 86_400_000) < 60_000);
    const bad = await w.admin(`/api/issues/${fingerprint}?project=chat`, json("PATCH", { status: "resolve", ignore_minutes: 5 }));
    assert.equal((await bad.json()).field, "ignore_minutes");
  });
});

test("without the apps configured the chat endpoints do not exist and alerts carry no buttons", async () => {
  const plain = await startWorker();
  try {
    assert.equal((await plain.fetch("/api/chat/discord", { method: "POST", body: "{}" })).status, 404);
    assert.equal((await plain.fetch("/api/chat/slack", { method: "POST", body: "" })).status, 404);
  } finally {
    await plain.dispose();
  }
});
