// Projects and keys: create projects, edit them (project-settings.js), create / rotate / revoke keys
// with the secret shown once, and ready-to-paste curl and client snippets for a new key.
import { api } from "../components/api.js";
import { may } from "../components/roles.js";
import { copyButton, errorBox, fmtAgo, fmtNumber, h, replace, toast } from "../components/dom.js";
import { fmtHours, settingsPanels } from "./project-settings.js";
import { integrationPanels } from "./project-integrations.js";
import { sourceMapsPanel } from "./project-sourcemaps.js";
import { workersPanel } from "./project-workers.js";

export async function render(view, r) {
  return r.name === "project" ? renderProject(view, r.arg, r.nav) : renderList(view, r.nav);
}

async function renderList(view, { listProjects }) {
  const projects = await listProjects(true);
  const shown = h("div");
  const slug = h("input", { name: "slug", required: true, pattern: "[a-z0-9-]{1,64}", placeholder: "my-app" });
  const name = h("input", { name: "name", placeholder: "My app" });
  const status = h("div");
  const form = h("form.inline", {
    "aria-label": "New project",
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const created = await api("/api/admin/projects", { method: "POST", body: { slug: slug.value, name: name.value || slug.value } });
        await listProjects(true);
        replace(shown, secretPanel(created.project.slug, created.key, created.secret, ["ingest"]));
        replace(status);
        toast(`Project ${created.project.slug} created`);
        drawTable(await listProjects());
      } catch (err) {
        replace(status, errorBox(err));
      }
    },
  }, h("label", {}, "Slug", slug), h("label", {}, "Name", name), h("button.primary", { type: "submit" }, "Create project"));
  const table = h("div");
  // Activity first: a project that went silent is what an on-call engineer needs to see.
  const drawTable = (list) => replace(table, list.length ? h("div.table-wrap", {}, h("table", {},
    h("thead", {}, h("tr", {}, ["Project", "Events (last hour)", "Last event", "Retention", "Limit / min"].map((t) => h("th", {}, t)))),
    h("tbody", {}, list.map((p) => h("tr", { "data-project": p.slug },
      h("td", {}, h("a", { href: `#/project/${encodeURIComponent(p.slug)}` }, p.name), h("div.muted", {}, p.slug)),
      h("td.num", {}, fmtNumber(p.events_last_hour)),
      h("td", {}, p.last_event_at ? fmtAgo(p.last_event_at) : "never",
        !p.events_last_hour ? [" ", h("span.badge.silent", { title: "no event in the last hour" }, "silent")] : null),
      h("td", {}, fmtHours(p.retention_hours)), h("td", {}, p.events_per_minute ? fmtNumber(p.events_per_minute) : "no limit")))))) : h("p.muted", {}, "No projects yet."));
  drawTable(projects);
  replace(view, h("h1", {}, "Projects"), h("section.panel", { "data-needs": "admin" }, h("h2", {}, "New project"), form, status), shown, h("section.panel", {}, table));
}

/** The secret of a new or rotated key, shown once, with snippets that use it. */
function secretPanel(slug, newKey, secret, scopes) {
  const origin = location.origin;
  const key = newKey ?? "<the key, unchanged by the rotation>";
  const curl = [
    `KEY='${key}'`, `SECRET='${secret}'`,
    `BODY='[{"level":"error","message":"hello from curl","source":"quickstart"}]'`,
    `curl -sS '${origin}/api/log' -H 'Content-Type: application/json' -H "X-Project-Key: $KEY" \\`,
    `  -H "X-Signature: $(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)" \\`,
    `  --data-binary "$BODY"`,
  ].join("\n");
  const client = [
    `// Sends a batch to edgelog, signed with the key's secret (HMAC-SHA256 of the body, hex).`,
    `const EDGELOG = { url: "${origin}/api/log", key: "${key}", secret: "${secret}" };`,
    `export async function sendLogs(events) {`,
    `  const body = JSON.stringify(events);`,
    `  const enc = new TextEncoder();`,
    `  const k = await crypto.subtle.importKey("raw", enc.encode(EDGELOG.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);`,
    `  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(body)));`,
    `  const signature = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");`,
    `  return fetch(EDGELOG.url, { method: "POST", body,`,
    `    headers: { "Content-Type": "application/json", "X-Project-Key": EDGELOG.key, "X-Signature": signature } });`,
    `}`,
  ].join("\n");
  const readCurl = `curl -sS '${origin}/api/logs?limit=5' -H 'X-Project-Key: ${key}'`;
  const canIngest = scopes.includes("ingest");
  return h("section.panel", { "data-secret-panel": slug },
    h("h2", {}, `Key for ${slug}`),
    h("p.notice", {}, "Copy the secret now: it is shown once and cannot be read back."),
    newKey ? h("div.secret", {}, "Key ", h("code", { "data-key": "" }, key), copyButton(key)) : h("p", {}, "The key stays the same; its secret is new."),
    secret ? h("div.secret", {}, "Secret ", h("code", { "data-secret": "" }, secret), copyButton(secret)) : null,
    canIngest && secret ? [h("h3", {}, "Send a first log"), h("pre", {}, curl), copyButton(curl, "Copy curl"),
      h("h3", {}, "From a JavaScript client"), h("pre", {}, client), copyButton(client, "Copy snippet")]
      : [h("h3", {}, "Read with it"), h("pre", {}, readCurl), copyButton(readCurl, "Copy curl")]);
}

/** A new unsigned key: its DSN for Sentry SDKs and a snippet for edgelog's own endpoint. */
function dsnPanel(slug, key, dsn) {
  const sentry = [
    `import * as Sentry from "@sentry/node"; // or @sentry/browser, @sentry/python's sentry_sdk, …`,
    `Sentry.init({ dsn: "${dsn}", enableLogs: true });`,
  ].join("\n");
  const curl = `curl -sS '${location.origin}/api/log' -H 'Content-Type: application/json' -H 'X-Project-Key: ${key}' \\\n` +
    `  --data-binary '[{"level":"error","message":"hello from curl","source":"quickstart"}]'`;
  return h("section.panel", { "data-dsn-panel": slug },
    h("h2", {}, `Unsigned key for ${slug}`),
    h("p.notice", {}, "This key needs no signature: it may only ingest, from servers or from the origins it lists."),
    h("div.secret", {}, "DSN ", h("code", { "data-dsn": "" }, dsn), copyButton(dsn)),
    h("h3", {}, "Sentry SDKs"), h("pre", {}, sentry), copyButton(sentry, "Copy snippet"),
    h("h3", {}, "Send a first log"), h("pre", {}, curl), copyButton(curl, "Copy curl"));
}

async function renderProject(view, slug, { listProjects }) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}`;
  if (!may("admin", slug)) return renderReadOnly(view, slug, base);
  const shown = h("div");
  const redraw = async () => {
    try {
      const [{ project }, { keys }] = await Promise.all([api(base), api(`${base}/keys`)]);
      draw(project, keys);
    } catch (err) {
      replace(view, h("h1", {}, slug), errorBox(err));
    }
  };
  const act = async (fn, message) => {
    try {
      const out = await fn();
      toast(message);
      await redraw();
      return out;
    } catch (err) {
      toast(`${err.message}${err.field ? ` (${err.field})` : ""}`);
      return null;
    }
  };
  const draw = (project, keys) => {
    const save = (changes) => act(() => api(base, { method: "PATCH", body: changes }), "Settings saved").then(() => listProjects(true));
    const name = h("input", { name: "name", value: project.name, required: true });
    const rename = h("form.inline", { "aria-label": "Name", onsubmit: (e) => { e.preventDefault(); save({ name: name.value }); } },
      h("label", {}, "Name", name), h("button", { type: "submit" }, "Rename"));
    const scopeIngest = h("input", { type: "checkbox", checked: true });
    const scopeRead = h("input", { type: "checkbox" });
    const label = h("input", { placeholder: "label" });
    const unsigned = h("input", { type: "checkbox", name: "unsigned" });
    const origins = h("input", { name: "allowed_origins", placeholder: "https://app.example.com, …" });
    const newKey = h("form.inline", {
      "aria-label": "New key",
      onsubmit: async (e) => {
        e.preventDefault();
        const scopes = unsigned.checked ? ["ingest"] : [scopeIngest.checked && "ingest", scopeRead.checked && "read"].filter(Boolean);
        const body = { scopes, label: label.value || undefined };
        if (unsigned.checked) {
          body.signed = false;
          body.allowed_origins = origins.value.split(/[\s,]+/).filter(Boolean);
        }
        const out = await act(() => api(`${base}/keys`, { method: "POST", body }), "Key created");
        if (out) replace(shown, out.dsn ? dsnPanel(slug, out.key, out.dsn) : secretPanel(slug, out.key, out.secret, scopes));
      },
    }, h("label", {}, scopeIngest, "ingest"), h("label", {}, scopeRead, "read"), h("label", {}, "Label", label),
    h("label", {}, unsigned, "unsigned (DSN, browsers)"), h("label", {}, "Allowed origins", origins),
    h("button.primary", { type: "submit" }, "Create key"));
    replace(view,
      h("p", {}, h("a", { href: "#/projects" }, "← Projects")),
      h("h1", {}, project.name, " ", h("span.muted", {}, project.slug)),
      shown,
      h("div.grid", {},
        h("section.panel", {}, h("h2", {}, "Keys"), h("div.table-wrap", {}, h("table", {},
          h("thead", {}, h("tr", {}, ["Key", "Scopes", "Status", "Used", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, keys.map((k) => h("tr", { "data-key-id": k.id },
            h("td", {}, h("code", {}, `${k.prefix}…`), h("div.muted", {}, k.label ?? "")),
            h("td", {}, k.scopes.join(", "), k.signed ? null : h("div.muted", { "data-unsigned": "" }, "unsigned",
              k.allowed_origins.length ? ` · ${k.allowed_origins.join(", ")}` : "")), h("td", {}, k.status),
            h("td", {}, `${fmtNumber(k.use_count)}${k.last_used_at ? `, ${fmtAgo(k.last_used_at)}` : ""}`),
            h("td", {}, k.status === "revoked" ? null : [
              k.scopes.includes("ingest") && k.signed ? h("button", { type: "button", onclick: async () => {
                const out = await act(() => api(`${base}/keys/${k.id}/rotate`, { method: "POST", body: {} }), "Secret rotated; the previous one verifies until revoked");
                if (out) replace(shown, secretPanel(slug, null, out.secret, ["ingest"]));
              } }, "Rotate") : null, " ",
              k.status === "rotating" ? h("button", { type: "button", onclick: () => act(() => api(`${base}/keys/${k.id}/revoke-previous`, { method: "POST" }), "Previous secret revoked") }, "End rotation") : null, " ",
              h("button.danger", { type: "button", onclick: () => confirm("Revoke this key? Clients using it stop at once.") && act(() => api(`${base}/keys/${k.id}/revoke`, { method: "POST" }), "Key revoked") }, "Revoke")])))))),
          newKey)),
      (([retention, limits, scrubbing, rules, digests]) => [h("div.grid", {}, retention, limits, scrubbing), rules, digests])(settingsPanels(project, save)),
      h("div.grid", {}, ...integrationPanels(slug), workersPanel(slug)),
      sourceMapsPanel(slug),
      h("section.panel", {}, h("h2", {}, "Project"), rename),
      h("section.panel", {}, h("h2", {}, "Delete"), h("p.muted", {}, "Deletes the project, revokes its keys and removes its events in the background."),
        h("button.danger", { type: "button", onclick: async () => {
          if (!confirm(`Delete ${slug} and all its events?`)) return;
          try {
            await api(base, { method: "DELETE" });
            await listProjects(true);
            location.hash = "#/projects";
          } catch (err) {
            toast(err.message);
          }
        } }, "Delete project")));
  };
  await redraw();
}

/** A project as a viewer or responder sees it: its settings, not the controls that change them. */
async function renderReadOnly(view, slug, base) {
  try {
    const { project } = await api(base);
    const row = (label, value) => h("tr", {}, h("th", {}, label), h("td", {}, value));
    replace(view, h("p", {}, h("a", { href: "#/projects" }, "← Projects")),
      h("h1", {}, project.name, " ", h("span.muted", {}, project.slug)),
      h("p.muted", { "data-read-only": "" }, "You can read this project; its admins change its settings and keys."),
      h("section.panel", {}, h("h2", {}, "Settings"), h("table", {}, h("tbody", {},
        row("Retention", fmtHours(project.retention_hours)), row("Events per minute", fmtNumber(project.events_per_minute)),
        row("Largest body", `${fmtNumber(project.max_body_bytes)} bytes`), row("Timestamps required", project.require_timestamp ? "yes" : "no")))),
      sourceMapsPanel(slug));
  } catch (err) {
    replace(view, h("h1", {}, slug), errorBox(err));
  }
}
