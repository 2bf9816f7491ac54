// A project's integrations: the ticket tracker (GitHub or Jira Cloud) and the forwarders that send
// its events on to Elasticsearch/OpenSearch or a SIEM. Each panel loads and saves on its own.
import { api } from "../components/api.js";
import { attempt, errorBox, fmtAgo, fmtNumber, h, replace } from "../components/dom.js";

const field = (label, input, hint) => h("label", {}, label, input, hint ? h("span.muted", {}, hint) : null);

/** The two panels for project `slug`. */
export function integrationPanels(slug) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}`;
  return [ticketsPanel(base), forwardingPanel(base)];
}

function ticketsPanel(base) {
  const panel = h("section.panel", { "data-settings": "tickets" }, h("h2", {}, "Tickets"), h("p.muted", {}, "Loading…"));
  const load = async () => {
    try {
      const { tracker } = await api(`${base}/tickets`);
      draw(tracker);
    } catch (err) {
      replace(panel, h("h2", {}, "Tickets"), errorBox(err));
    }
  };
  const draw = (tracker) => {
    const kind = h("select", { name: "tracker_kind" }, [["github", "GitHub"], ["jira", "Jira Cloud"]].map(([v, t]) =>
      h("option", { value: v, selected: (tracker?.kind ?? "github") === v }, t)));
    const baseUrl = h("input", { name: "tracker_base_url", value: tracker?.base_url ?? "", placeholder: "https://api.github.com" });
    const target = h("input", { name: "tracker_target", value: tracker?.target ?? "", placeholder: "owner/repo", required: true });
    const account = h("input", { name: "tracker_account", value: tracker?.account ?? "", placeholder: "you@example.com" });
    const issueType = h("input", { name: "tracker_issue_type", value: tracker?.issue_type ?? "Bug" });
    const token = h("input", { name: "tracker_token", type: "password", autocomplete: "off", required: true,
      placeholder: tracker ? "the token again to change anything" : "" });
    const auto = h("input", { type: "checkbox", name: "tracker_auto_page", checked: tracker?.auto_page ?? false });
    const jiraOnly = h("div.stack", {}, field("Account email", account), field("Issue type", issueType));
    const fit = () => {
      const jira = kind.value === "jira";
      jiraOnly.hidden = !jira;
      target.placeholder = jira ? "OPS (the project key)" : "owner/repo";
      baseUrl.placeholder = jira ? "https://your-site.atlassian.net" : "https://api.github.com";
    };
    kind.addEventListener("change", fit);
    fit();
    replace(panel, h("h2", {}, "Tickets"),
      tracker ? h("p", { "data-tracker": "" }, `Tickets go to ${tracker.kind === "jira" ? "Jira" : "GitHub"} `, h("code", {}, tracker.target),
        tracker.auto_page ? " — and are made on their own for new or regressed page-class issues." : " from each issue's page.") : h("p.muted", {},
        "Create a GitHub or Jira issue from an issue's page, with its template, counts, stack and a link back — or have one made for every page-class issue."),
      h("form.stack", {
        "aria-label": "Ticket tracker",
        onsubmit: (e) => {
          e.preventDefault();
          const body = { kind: kind.value, target: target.value.trim(), token: token.value, auto_page: auto.checked };
          if (baseUrl.value.trim()) body.base_url = baseUrl.value.trim();
          if (kind.value === "jira") Object.assign(body, { account: account.value.trim(), issue_type: issueType.value.trim() || "Bug" });
          attempt(() => api(`${base}/tickets`, { method: "PUT", body }), "Tracker saved", load);
        },
      }, field("Tracker", kind), field("API base URL", baseUrl), field("Repository or project", target), jiraOnly,
      field("Token", token, "sealed at rest; never shown again"),
      h("label.check", {}, auto, "Create a ticket for every new or regressed page-class issue"),
      h("div.toolbar", {}, h("button.primary", { type: "submit" }, "Save tracker"),
        tracker ? h("button.danger", { type: "button", onclick: () => attempt(() => api(`${base}/tickets`, { method: "DELETE" }), "Tracker removed", load) }, "Remove") : null)));
  };
  load();
  return panel;
}

function forwardingPanel(base) {
  const panel = h("section.panel", { "data-settings": "forwarding" }, h("h2", {}, "Forwarding"), h("p.muted", {}, "Loading…"));
  const load = async () => {
    try {
      const { forwarders } = await api(`${base}/forwarders`);
      draw(forwarders);
    } catch (err) {
      replace(panel, h("h2", {}, "Forwarding"), errorBox(err));
    }
  };
  const row = (f) => h("tr", { "data-forwarder": f.id },
    h("td", {}, f.kind === "elasticsearch" ? "Elasticsearch" : "HTTP", h("div.muted", {}, f.label ?? f.url)),
    h("td", {}, f.index ? h("code", {}, f.index) : "", h("div.muted", {}, f.filter ? f.filter : "every event")),
    h("td", {}, fmtNumber(f.sent), h("div.muted", {}, f.last_sent_at ? `last ${fmtAgo(f.last_sent_at)}` : "none yet")),
    h("td", {}, f.last_error ? h("span.bad", { title: f.last_error }, f.last_error.slice(0, 80)) : f.enabled ? "ok" : "paused"),
    h("td", {}, h("button", { type: "button", onclick: () => attempt(() => api(`${base}/forwarders/${f.id}`, { method: "PATCH", body: { enabled: !f.enabled } }),
      f.enabled ? "Forwarder paused" : "Forwarder resumed", load) }, f.enabled ? "Pause" : "Resume"), " ",
    h("button.danger", { type: "button", onclick: () => confirm("Remove this forwarder?") &&
      attempt(() => api(`${base}/forwarders/${f.id}`, { method: "DELETE" }), "Forwarder removed", load) }, "Remove")));
  const draw = (forwarders) => {
    const kind = h("select", { name: "forward_kind" }, [["elasticsearch", "Elasticsearch / OpenSearch (_bulk)"], ["http", "HTTP (NDJSON)"]]
      .map(([v, t]) => h("option", { value: v }, t)));
    const url = h("input", { name: "forward_url", required: true, placeholder: "https://search.example.com:9200" });
    const index = h("input", { name: "forward_index", value: "edgelog" });
    const authorization = h("input", { name: "forward_authorization", type: "password", autocomplete: "off", placeholder: "ApiKey …, Basic …, Bearer …" });
    const filter = h("input", { name: "forward_filter", placeholder: "level=error,fatal&env=production" });
    const start = h("select", { name: "forward_start" }, h("option", { value: "stored" }, "everything still stored"), h("option", { value: "now" }, "new events only"));
    const indexField = field("Index or data stream", index);
    kind.addEventListener("change", () => { indexField.hidden = kind.value !== "elasticsearch"; });
    replace(panel, h("h2", {}, "Forwarding"),
      h("p.muted", {}, "Each minute, the events stored since the last batch that match the filter go on, in batches, at least once: a batch is sent again until the endpoint takes it."),
      forwarders.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["Endpoint", "Index · filter", "Sent", "Status", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, forwarders.map(row)))) : null,
      h("form.stack", {
        "aria-label": "New forwarder",
        onsubmit: (e) => {
          e.preventDefault();
          const body = { kind: kind.value, url: url.value.trim(), filter: filter.value.trim(), start: start.value };
          if (kind.value === "elasticsearch") body.index = index.value.trim();
          if (authorization.value) body.authorization = authorization.value;
          attempt(() => api(`${base}/forwarders`, { method: "POST", body }), "Forwarder added", load);
        },
      }, field("Kind", kind), field("URL", url), indexField, field("Authorization header", authorization, "sealed at rest"),
      field("Filter", filter, "the read API's query: level, q, env, source, …"), field("Start with", start),
      h("button.primary", { type: "submit" }, "Add forwarder")));
  };
  load();
  return panel;
}
