// Team: your personal API tokens (created here, shown once), and for admins of every project the
// users with their roles (invite, change, disable) and the audit log (filtered, exported).
import { api } from "../components/api.js";
import { attempt, copyButton, errorBox, fmtAgo, h, replace, toast } from "../components/dom.js";
import { may, whoAmI } from "../components/roles.js";

const ROLES = ["viewer", "responder", "admin"];
const grantsText = (grants) => grants.map((g) => `${g.project}:${g.role}`).join(", ");

/** "shop:viewer, *:admin" → [{project, role}], or throws with what is wrong. */
function readGrants(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((part) => {
    const [project, role] = part.split(":").map((s) => s.trim());
    if (!project || !ROLES.includes(role)) throw new Error(`"${part}" is not project:role (role: ${ROLES.join(", ")}; project * for all)`);
    return { project, role };
  });
}

export async function render(view) {
  const me = whoAmI();
  const sections = [h("h1", {}, "Team")];
  if (me?.user) sections.push(tokensPanel(), chatPanel());
  else sections.push(h("p.muted", {}, "Signed in with the break-glass admin token: personal tokens belong to users who sign in."));
  if (may("admin")) sections.push(usersPanel(), auditPanel());
  replace(view, ...sections);
}

function tokensPanel() {
  const panel = h("section.panel", { "data-panel": "tokens" }, h("h2", {}, "Your API tokens"));
  const shown = h("div");
  const list = h("div", {}, h("p.muted", {}, "Loading…"));
  const label = h("input", { name: "label", required: true, placeholder: "ci-deploy" });
  const scope = h("select", { name: "scope" }, ["read", "respond", "admin"].map((s) => h("option", { value: s }, s)));
  const projects = h("input", { name: "projects", placeholder: "all, or shop, blog" });
  const days = h("input", { name: "days", type: "number", min: 1, max: 366, value: "90" });
  const load = async () => {
    try {
      const { tokens } = await api("/api/auth/tokens");
      replace(list, tokens.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["Token", "Scope", "Projects", "Status", "Expires", "Last used", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, tokens.map((t) => h("tr", { "data-token-id": t.id },
          h("td", {}, h("code", {}, t.hint), h("div.muted", {}, t.label)), h("td", {}, t.scope), h("td", {}, t.projects ? t.projects.join(", ") : "all"),
          h("td", {}, t.status), h("td", {}, new Date(t.expires_at).toLocaleDateString()), h("td", {}, t.last_used_at ? fmtAgo(t.last_used_at) : "never"),
          h("td", {}, t.status === "active" ? h("button.danger", { type: "button", onclick: () => confirm(`Revoke ${t.label}? Scripts using it stop at once.`)
            && attempt(() => api(`/api/auth/tokens/${t.id}`, { method: "DELETE" }), "Token revoked", load) }, "Revoke") : null)))))) : h("p.muted", {}, "No tokens yet."));
    } catch (err) {
      replace(list, errorBox(err));
    }
  };
  const form = h("form.inline", {
    onsubmit: async (e) => {
      e.preventDefault();
      const slugs = projects.value.trim() && projects.value.trim() !== "all" ? projects.value.split(",").map((s) => s.trim()).filter(Boolean) : null;
      const out = await attempt(() => api("/api/auth/tokens", { method: "POST",
        body: { label: label.value, scope: scope.value, projects: slugs, expires_in_days: Number(days.value) } }), "Token created", load);
      if (out) replace(shown, h("div.panel.secret", { "data-new-token": "" }, h("p", {}, "Copy it now: it is not shown again."),
        h("code", {}, out.token), " ", copyButton(out.token)));
    },
  }, h("label", {}, "Label", label), h("label", {}, "Scope", scope), h("label", {}, "Projects", projects), h("label", {}, "Days", days),
  h("button.primary", { type: "submit" }, "Create token"));
  panel.append(h("p.muted", {}, "For scripts and CI: Authorization: Bearer <token>. A token never does more than you can."), form, shown, list);
  load();
  return panel;
}

function chatPanel() {
  const panel = h("section.panel", { "data-panel": "chat" }, h("h2", {}, "Discord and Slack"));
  const list = h("div");
  const shown = h("div");
  const load = async () => {
    try {
      const { links, discord, slack } = await api("/api/auth/links");
      if (!discord && !slack) {
        replace(list, h("p.muted", {}, "No Discord or Slack app is configured here (DISCORD_PUBLIC_KEY, SLACK_SIGNING_SECRET)."));
        return;
      }
      replace(list, links.length ? h("table", {}, h("tbody", {}, links.map((l) => h("tr", {},
        h("td", {}, l.provider), h("td", {}, l.name ?? l.id), h("td", {}, fmtAgo(l.linked_at)),
        h("td", {}, h("button", { type: "button", onclick: () => attempt(() => api(`/api/auth/links/${l.provider}/${encodeURIComponent(l.id)}`,
          { method: "DELETE" }), "Unlinked", load) }, "Unlink")))))) : h("p.muted", {}, "Not linked yet."));
    } catch (err) {
      replace(list, errorBox(err));
    }
  };
  const make = h("button", { type: "button", onclick: async () => {
    const out = await attempt(() => api("/api/auth/links/code", { method: "POST" }));
    if (out) replace(shown, h("div.panel.secret", { "data-link-code": "" }, h("p", {}, "Your code, for ten minutes: ", h("code", {}, out.code), " ", copyButton(out.code)),
      h("p.muted", {}, "Discord: click any button on an alert and type it in the dialog. Slack: type /edgelog link ", out.code, ".")));
  } }, "Link Discord or Slack");
  panel.append(h("p.muted", {}, "Once linked, the buttons on alerts (Resolve, Ignore, Mute rule) act as you, with your role."), make, shown, list);
  load();
  return panel;
}

function usersPanel() {
  const panel = h("section.panel", { "data-panel": "users" }, h("h2", {}, "Users"));
  const list = h("div", {}, h("p.muted", {}, "Loading…"));
  const email = h("input", { name: "email", type: "email", required: true, placeholder: "maria@example.com" });
  const grants = h("input", { name: "grants", placeholder: "shop:responder, *:viewer" });
  const load = async () => {
    try {
      const { users } = await api("/api/admin/users");
      replace(list, h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["User", "Roles", "Last sign-in", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, users.map((u) => {
          const edit = h("input", { value: grantsText(u.grants), "aria-label": `Roles of ${u.email}`, size: 28 });
          const save = () => attempt(() => api(`/api/admin/users/${u.id}`, { method: "PATCH", body: { grants: readGrants(edit.value) } }), "Roles saved", load);
          return h("tr", { "data-user": u.email, class: u.disabled ? "muted" : "" },
            h("td", {}, u.email, u.disabled ? h("div.muted", {}, "disabled") : u.invited_by ? h("div.muted", {}, `invited by ${u.invited_by}`) : null),
            h("td", {}, edit, " ", h("button", { type: "button", onclick: save }, "Save")),
            h("td", {}, u.last_login_at ? fmtAgo(u.last_login_at) : "never"),
            h("td", {}, h("button", { type: "button", class: u.disabled ? "" : "danger",
              onclick: () => attempt(() => api(`/api/admin/users/${u.id}`, { method: "PATCH", body: { disabled: !u.disabled } }),
                u.disabled ? "User enabled" : "User disabled: sessions and tokens ended", load) }, u.disabled ? "Enable" : "Disable")));
        })))));
    } catch (err) {
      replace(list, errorBox(err));
    }
  };
  const form = h("form.inline", {
    onsubmit: async (e) => {
      e.preventDefault();
      let parsed;
      try {
        parsed = readGrants(grants.value);
      } catch (err) {
        toast(err.message);
        return;
      }
      if (await attempt(() => api("/api/admin/users", { method: "POST", body: { email: email.value, grants: parsed } }), "User invited", load)) {
        email.value = "";
        grants.value = "";
      }
    },
  }, h("label", {}, "Email", email), h("label", {}, "Roles", grants), h("button.primary", { type: "submit" }, "Invite"));
  panel.append(h("p.muted", {}, "Roles: viewer reads; responder also resolves, ignores and mutes; admin changes settings, keys and users. ",
    "Project * means every project. People who sign in uninvited get no role until you give them one."), form, list);
  load();
  return panel;
}

function auditPanel() {
  const panel = h("section.panel", { "data-panel": "audit" }, h("h2", {}, "Audit log"));
  const fields = { actor: h("input", { name: "actor", placeholder: "maria@example.com" }), action: h("input", { name: "action", placeholder: "project, issue.resolve, sign_in" }),
    project: h("input", { name: "project", placeholder: "slug" }),
    outcome: h("select", { name: "outcome" }, ["", "ok", "denied", "failed"].map((o) => h("option", { value: o }, o || "any outcome"))) };
  const list = h("div");
  const query = () => new URLSearchParams(Object.entries(fields).filter(([, el]) => el.value).map(([k, el]) => [k, el.value])).toString();
  const exportLink = h("a.button", { href: "/api/admin/audit/export?format=csv", download: "" }, "Export CSV");
  const load = async () => {
    const q = query();
    exportLink.href = `/api/admin/audit/export?format=csv${q ? `&${q}` : ""}`;
    try {
      const { entries } = await api(`/api/admin/audit?limit=100${q ? `&${q}` : ""}`);
      replace(list, entries.length ? h("div.table-wrap", {}, h("table", { "data-audit": "" },
        h("thead", {}, h("tr", {}, ["When", "Who", "Role", "Action", "Project", "Object", "Outcome", "Detail", "From"].map((t) => h("th", {}, t)))),
        h("tbody", {}, entries.map((e) => h("tr", {},
          h("td", { title: e.at }, fmtAgo(e.at)), h("td", {}, e.actor, h("div.muted", {}, e.actor_kind)), h("td", {}, e.role ?? ""),
          h("td", {}, h("code", {}, e.action)), h("td", {}, e.project ?? ""), h("td", {}, e.object ?? ""), h("td", {}, e.outcome),
          h("td", {}, e.detail ? h("code.wrap", {}, JSON.stringify(e.detail).slice(0, 300)) : ""), h("td", { title: e.user_agent ?? "" }, e.ip ?? "")))))) : h("p.muted", {}, "Nothing matches."));
    } catch (err) {
      replace(list, errorBox(err));
    }
  };
  const form = h("form.inline", { onsubmit: (e) => { e.preventDefault(); load(); } },
    ...Object.entries(fields).map(([k, el]) => h("label", {}, k[0].toUpperCase() + k.slice(1), el)), h("button.primary", { type: "submit" }, "Filter"), exportLink);
  panel.append(h("p.muted", {}, "Every change, export and search, sign-ins and refusals: append-only, kept at least a year."), form, list);
  load();
  return panel;
}
