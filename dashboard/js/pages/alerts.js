// Alerts for one project: rules (create, enable/disable, delete), destinations (add, remove),
// the test-alert button, and the delivery log.
import { controls, update } from "../app.js";
import { api } from "../api.js";
import { errorBox, fmtTime, h, replace, toast } from "../dom.js";

const KINDS = {
  spike: "Spike: an issue reaches N events in the window",
  new_issue: "New issue: the first event of a fingerprint",
  regression: "Regression: a resolved issue is seen again",
  error_rate: "Error rate: N errors in the window",
  silence: "Silence: no events for N minutes",
};
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

export async function render(view, { params }) {
  const ctl = await controls(params, (changes) => update(changes), { allowAll: false, ranges: false });
  const slug = ctl.project();
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  replace(view, h("h1", {}, "Alerts"), h("div.toolbar", {}, ctl.nodes), body);
  if (!slug) return void replace(body, h("p.panel", {}, "Create a project first: ", h("a", { href: "#/projects" }, "Projects")));
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/alerts`;
  const reload = () => render(view, { params: new URLSearchParams({ ...Object.fromEntries(params), project: slug }) });
  const act = async (fn, message) => {
    try {
      await fn();
      toast(message);
      await reload();
    } catch (err) {
      toast(`${err.message}${err.field ? ` (${err.field})` : ""}`);
    }
  };
  try {
    const [{ rules, destinations }, { deliveries }] = await Promise.all([api(base), api(`${base}/deliveries`)]);
    const editor = h("div", {}, h("h3", {}, "New rule"), ruleForm((rule) => act(() => api(base, { method: "POST", body: rule }), "Rule created")));
    replace(body,
      h("section.panel", {}, h("h2", {}, "Rules"),
        rules.length ? h("div.table-wrap", {}, h("table", {},
          h("thead", {}, h("tr", {}, ["Kind", "Threshold", "Window", "Cooldown", "Min level", "Scope", "Enabled", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, rules.map((r) => h("tr", {},
            h("td", {}, r.kind), h("td", {}, r.kind === "silence" ? `${r.silence_minutes} min` : r.threshold), h("td", {}, `${r.window_s} s`),
            h("td", {}, `${r.cooldown_s} s`), h("td", {}, r.min_level),
            h("td", {}, [r.env && `env ${r.env}`, r.source && `source ${r.source}`, r.component && `component ${r.component}`].filter(Boolean).join(", ") || "all"),
            h("td", {}, h("button", { type: "button", "aria-pressed": String(r.enabled),
              onclick: () => act(() => api(`${base}/${r.id}`, { method: "PATCH", body: { enabled: !r.enabled } }), r.enabled ? "Rule disabled" : "Rule enabled") }, r.enabled ? "On" : "Off")),
            h("td", {}, h("button", { type: "button", onclick: () => replace(editor, h("h3", {}, `Edit the ${r.kind} rule`),
              ruleForm((rule) => act(() => api(`${base}/${r.id}`, { method: "PATCH", body: rule }), "Rule saved"), r)) }, "Edit"), " ",
            h("button.danger", { type: "button", onclick: () => confirm(`Delete this ${r.kind} rule?`) && act(() => api(`${base}/${r.id}`, { method: "DELETE" }), "Rule deleted") }, "Delete"))))))) : h("p.muted", {}, "No rules yet."),
        editor),
      h("section.panel", {}, h("h2", {}, "Destinations"),
        destinations.length ? h("table", {}, h("tbody", {}, destinations.map((d) => h("tr", {},
          h("td", {}, d.kind), h("td", {}, d.label ?? ""), h("td", {}, h("code", {}, d.url)), h("td", {}, d.signed ? "signed" : ""),
          h("td", {}, h("button.danger", { type: "button", onclick: () => confirm("Remove this destination?") && act(() => api(`${base}/destinations/${d.id}`, { method: "DELETE" }), "Destination removed") }, "Remove")))))) : h("p.muted", {}, "No destinations yet: alerts are decided and recorded, but sent nowhere."),
        destinationForm((d) => act(() => api(`${base}/destinations`, { method: "POST", body: d }), "Destination added")),
        h("p", {}, h("button", { type: "button", disabled: !destinations.length, onclick: () => act(async () => {
          const { results } = await api(`${base}/test`, { method: "POST" });
          toast(results.map((x) => `${x.kind ?? "destination"}: ${x.outcome ?? (x.ok ? "sent" : "failed")}`).join(", "));
        }, "Test alert sent") }, "Send a test alert"))),
      h("section.panel", {}, h("h2", {}, "Delivery log"), deliveries.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["When", "Kind", "Outcome", "HTTP", "Attempts", "Issue", "Error"].map((t) => h("th", {}, t)))),
        h("tbody", {}, deliveries.map((d) => h("tr", {}, h("td", {}, fmtTime(d.created_at)), h("td", {}, d.kind), h("td", {}, d.outcome),
          h("td", {}, d.http_status ?? ""), h("td", {}, d.attempts), h("td", {}, d.fingerprint ? h("a", { href: `#/issue/${d.fingerprint}?project=${encodeURIComponent(slug)}` }, d.fingerprint.slice(0, 8)) : ""),
          h("td.msg", {}, d.error ?? "")))))) : h("p.muted", {}, "Nothing delivered yet.")));
  } catch (err) {
    replace(body, errorBox(err));
  }
}

/** The form for a new rule, or for changing `rule` (its kind stays). */
function ruleForm(submit, rule = null) {
  const field = (label, input) => h("label", {}, label, input);
  const kind = h("select", { name: "kind", disabled: Boolean(rule) }, Object.entries(KINDS).map(([k, v]) => h("option", { value: k, selected: rule?.kind === k }, v)));
  const threshold = h("input", { name: "threshold", type: "number", min: 1, value: rule?.threshold ?? 5 });
  const windowS = h("input", { name: "window_s", type: "number", min: 1, value: rule?.window_s ?? 60 });
  const cooldown = h("input", { name: "cooldown_s", type: "number", min: 0, value: rule?.cooldown_s ?? 900 });
  const silence = h("input", { name: "silence_minutes", type: "number", min: 0, value: rule?.silence_minutes || 30 });
  const minLevel = h("select", { name: "min_level" }, LEVELS.map((l) => h("option", { value: l, selected: l === (rule?.min_level ?? "error") }, l)));
  const env = h("input", { name: "env", placeholder: "e.g. prod*", value: rule?.env ?? "" });
  const source = h("input", { name: "source", placeholder: "glob", value: rule?.source ?? "" });
  return h("form.inline", {
    "aria-label": rule ? "Edit rule" : "New rule",
    onsubmit: (e) => {
      e.preventDefault();
      const out = { threshold: Number(threshold.value), window_s: Number(windowS.value), cooldown_s: Number(cooldown.value), min_level: minLevel.value,
        env: env.value || null, source: source.value || null };
      if (!rule) out.kind = kind.value;
      if ((rule?.kind ?? kind.value) === "silence") out.silence_minutes = Number(silence.value);
      submit(out);
    },
  }, field("Kind", kind), field("Threshold", threshold), field("Window (s)", windowS), field("Cooldown (s)", cooldown),
  field("Silence (min)", silence), field("Min level", minLevel), field("Env", env), field("Source", source),
  h("button.primary", { type: "submit" }, rule ? "Save rule" : "Add rule"));
}

function destinationForm(submit) {
  const kind = h("select", { name: "kind" }, ["discord", "slack", "webhook"].map((k) => h("option", { value: k }, k)));
  const url = h("input", { name: "url", type: "url", required: true, placeholder: "https://discord.com/api/webhooks/…", class: "grow" });
  const label = h("input", { name: "label", placeholder: "label (optional)" });
  const secret = h("input", { name: "secret", placeholder: "signing secret (webhook only)" });
  return h("form.inline", {
    "aria-label": "New destination",
    onsubmit: (e) => {
      e.preventDefault();
      const d = { kind: kind.value, url: url.value };
      if (label.value) d.label = label.value;
      if (secret.value) d.secret = secret.value;
      submit(d);
    },
  }, h("label", {}, "Kind", kind), h("label", { class: "grow" }, "URL", url), h("label", {}, "Label", label), h("label", {}, "Secret", secret),
  h("button.primary", { type: "submit" }, "Add destination"));
}
