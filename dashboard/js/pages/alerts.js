// Alerts for one project: rules (create, enable/disable, delete), destinations (add, remove),
// the test-alert button, and the delivery log.
import { api } from "../components/api.js";
import { attempt, errorBox, fmtTime, h, replace, toast } from "../components/dom.js";
import { alertKinds, destinationKinds, levels, sensitivities } from "../components/vocabulary.js";


export async function render(view, { params, nav: { controls, update } }) {
  const ctl = await controls(params, (changes) => update(changes), { allowAll: false, ranges: false });
  const slug = ctl.project();
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  replace(view, h("h1", {}, "Alerts"), h("div.toolbar", {}, ctl.nodes), body);
  if (!slug) return void replace(body, h("p.panel", {}, "Create a project first: ", h("a", { href: "#/projects" }, "Projects")));
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/alerts`;
  const reload = () => render(view, { params: new URLSearchParams({ ...Object.fromEntries(params), project: slug }), nav: { controls, update } });
  const act = (fn, message) => attempt(fn, message, reload);
  try {
    const [{ rules, destinations }, { deliveries }] = await Promise.all([api(base), api(`${base}/deliveries`)]);
    // From explore's "Alert on it": a new error-rate rule on that query, or an aggregate rule on its groups.
    const editor = h("div", {}, h("h3", {}, "New rule"), ruleForm((rule) => act(() => api(base, { method: "POST", body: rule }), "Rule created"), null, slug,
      params.get("query"), { by: params.get("by"), agg: params.get("agg") }));
    replace(body,
      h("section.panel", {}, h("h2", {}, "Rules"),
        rules.length ? h("div.table-wrap", {}, h("table", {},
          h("thead", {}, h("tr", {}, ["Kind", "Threshold", "Window", "Cooldown", "Min level", "Scope", "Enabled", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, rules.map((r) => h("tr", {},
            h("td", {}, r.kind), h("td", {}, r.kind === "silence" ? `${r.silence_minutes} min` : r.kind === "anomaly" ? `≥ ${r.threshold}, ${r.sensitivity}${r.scope === "issue" ? ", per issue" : ""}`
              : r.kind === "aggregate" ? h("code", {}, `${r.agg}${r.by ? ` by ${r.by}` : ""} ${r.op} ${r.threshold}`) : r.threshold), h("td", {}, `${r.window_s} s`),
            h("td", {}, `${r.cooldown_s} s`), h("td", {}, kindFields(r.kind).includes("min_level") ? r.min_level : "–"),
            h("td", {}, [r.env && `env ${r.env}`, r.source && `source ${r.source}`, r.component && `component ${r.component}`].filter(Boolean).join(", ") || "all",
              r.query ? h("div", {}, h("code", {}, r.query)) : null),
            h("td", {}, h("button", { type: "button", "data-needs": "admin", "aria-pressed": String(r.enabled),
              onclick: () => act(() => api(`${base}/${r.id}`, { method: "PATCH", body: { enabled: !r.enabled } }), r.enabled ? "Rule disabled" : "Rule enabled") }, r.enabled ? "On" : "Off")),
            h("td", {}, r.muted_until ? h("div.muted", { "data-muted": "" }, `muted until ${new Date(r.muted_until).toLocaleString()}${r.muted_by ? ` by ${r.muted_by}` : ""}`) : null,
              h("button", { type: "button", "data-needs": "responder", onclick: () => act(() => api(`${base}/${r.id}/mute`, { method: "POST", body: { minutes: r.muted_until ? 0 : 60 } }),
                r.muted_until ? "Rule unmuted" : "Rule muted for an hour") }, r.muted_until ? "Unmute" : "Mute 1 h"), " ",
              h("button", { type: "button", "data-needs": "admin", onclick: () => replace(editor, h("h3", {}, `Edit the ${r.kind} rule`),
              ruleForm((rule) => act(() => api(`${base}/${r.id}`, { method: "PATCH", body: rule }), "Rule saved"), r, slug)) }, "Edit"), " ",
            h("button.danger", { type: "button", "data-needs": "admin", onclick: () => confirm(`Delete this ${r.kind} rule?`) && act(() => api(`${base}/${r.id}`, { method: "DELETE" }), "Rule deleted") }, "Delete"))))))) : h("p.muted", {}, "No rules yet."),
        h("div", { "data-needs": "admin" }, editor)),
      h("section.panel", {}, h("h2", {}, "Destinations"),
        destinations.length ? h("table", {}, h("tbody", {}, destinations.map((d) => h("tr", {},
          h("td", {}, d.kind), h("td", {}, d.label ?? ""), h("td", {}, h("code", {}, d.url)), h("td", {}, d.signed ? "signed" : d.interactive ? "buttons" : ""),
          h("td", {}, h("button.danger", { type: "button", "data-needs": "admin", onclick: () => confirm("Remove this destination?") && act(() => api(`${base}/destinations/${d.id}`, { method: "DELETE" }), "Destination removed") }, "Remove")))))) : h("p.muted", {}, "No destinations yet: alerts are decided and recorded, but sent nowhere."),
        h("div", { "data-needs": "admin" }, destinationForm((d) => act(() => api(`${base}/destinations`, { method: "POST", body: d }), "Destination added"))),
        h("p", { "data-needs": "admin" }, h("button", { type: "button", disabled: !destinations.length, "aria-describedby": "test-why", onclick: () => act(async () => {
          const { results } = await api(`${base}/test`, { method: "POST" });
          toast(results.map((x) => `${x.kind ?? "destination"}: ${x.outcome ?? (x.ok ? "sent" : "failed")}`).join(", "));
        }, "Test alert sent") }, "Send a test alert"), " ",
        h("span.muted", { id: "test-why" }, destinations.length
          ? `Sends a message marked TEST to ${destinations.length === 1 ? "the destination" : `all ${destinations.length} destinations`}.`
          : "Add a destination first: a test alert goes to every destination, and there is none yet."))),
      h("section.panel", {}, h("h2", {}, "Delivery log"), deliveries.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["When", "Kind", "Outcome", "HTTP", "Attempts", "Issue", "Error"].map((t) => h("th", {}, t)))),
        h("tbody", {}, deliveries.map((d) => h("tr", {}, h("td", {}, fmtTime(d.created_at)), h("td", {}, d.kind), h("td", {}, d.outcome),
          h("td", {}, d.http_status ?? ""), h("td", {}, d.attempts), h("td", {}, d.fingerprint ? h("a", { href: `#/issue/${d.fingerprint}?project=${encodeURIComponent(slug)}` }, d.fingerprint.slice(0, 8)) : ""),
          h("td.msg", {}, d.error ?? "")))))) : h("p.muted", {}, "Nothing delivered yet.")));
  } catch (err) {
    replace(body, errorBox(err));
  }
}

// The fields each kind of rule uses (the core's vocabulary): the form shows only these.
const kindFields = (name) => alertKinds().find((k) => k.name === name)?.fields ?? [];
const FIELD_LABELS = { scope: "Judge", threshold: "Events", window_s: "Window (s)", sensitivity: "Sensitivity", cooldown_s: "Cooldown (s)", silence_minutes: "Silent for (min)",
  min_level: "Min level", env: "Env", source: "Source", query: "Query", by: "Per group of", agg: "Measure", op: "Alert when" };
const TEXT_FIELDS = ["env", "source", "query", "by", "agg"];

/** The form for a new rule, or for changing `rule` (its kind stays), with the message it would send. */
function ruleForm(submit, rule = null, slug = null, query = null, groups = {}) {
  const first = rule?.kind ?? (groups.by || groups.agg ? "aggregate" : query ? "error_rate" : null);
  const kind = h("select", { name: "kind", disabled: Boolean(rule) }, alertKinds().map((k) => h("option", { value: k.name, selected: first === k.name }, k.summary)));
  const inputs = {
    threshold: h("input", { name: "threshold", type: "number", min: 1, value: rule?.threshold ?? 5 }),
    window_s: h("input", { name: "window_s", type: "number", min: 1, value: rule?.window_s ?? 60 }),
    cooldown_s: h("input", { name: "cooldown_s", type: "number", min: 0, value: rule?.cooldown_s ?? 900 }),
    silence_minutes: h("input", { name: "silence_minutes", type: "number", min: 1, value: rule?.silence_minutes || 30 }),
    min_level: h("select", { name: "min_level" }, levels().map((l) => h("option", { value: l, selected: l === (rule?.min_level ?? "error") }, l))),
    scope: h("select", { name: "scope" }, [["project", "the project's events"], ["issue", "each issue on its own"]]
      .map(([v, t]) => h("option", { value: v, selected: v === (rule?.scope ?? "project") }, t))),
    sensitivity: h("select", { name: "sensitivity" }, sensitivities().map((v) => h("option", { value: v, selected: v === (rule?.sensitivity ?? "medium") }, v))),
    env: h("input", { name: "env", placeholder: "e.g. prod*", value: rule?.env ?? "" }),
    source: h("input", { name: "source", placeholder: "glob", value: rule?.source ?? "" }),
    query: h("input", { name: "query", placeholder: "e.g. ctx.duration_ms:>2s endpoint:\"POST /pay\"", value: rule?.query ?? query ?? "" }),
    by: h("input", { name: "by", placeholder: "e.g. endpoint (up to 3 fields)", value: rule?.by ?? groups.by ?? "" }),
    agg: h("input", { name: "agg", placeholder: "e.g. p95(ctx.duration_ms)", value: rule?.agg ?? groups.agg?.split(",")[0].trim() ?? "count" }),
    op: h("select", { name: "op" }, [">", ">=", "<", "<="].map((o) => h("option", { value: o, selected: o === (rule?.op ?? ">") }, `${o} threshold`))),
  };
  const labels = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, h("label", { "data-field": k }, FIELD_LABELS[k], input)]));
  const preview = h("div.preview", { "aria-live": "polite" });
  const current = () => rule?.kind ?? kind.value;
  const values = () => {
    const out = {};
    for (const k of kindFields(current())) {
      if (labels[k].hidden) continue;
      const v = inputs[k].value;
      out[k] = TEXT_FIELDS.includes(k) ? v.trim() || null : ["min_level", "sensitivity", "scope", "op"].includes(k) ? v : Number(v);
    }
    return out;
  };
  let timer = null;
  const showPreview = () => {
    clearTimeout(timer);
    if (!slug) return;
    timer = setTimeout(async () => {
      try {
        const answer = await api(`/api/admin/projects/${encodeURIComponent(slug)}/alerts/preview`, { method: "POST", body: { kind: current(), ...values() } });
        replace(preview, discordPreview(answer));
      } catch (err) {
        replace(preview, h("p.muted", {}, `No preview: ${err.message}`));
      }
    }, 250);
  };
  const showFields = () => {
    for (const [k, label] of Object.entries(labels)) label.hidden = !kindFields(current()).includes(k);
    // An anomaly rule per issue judges each issue's own events: no query narrows it.
    if (current() === "anomaly" && inputs.scope.value === "issue") labels.query.hidden = true;
    // An aggregate rule compares a measure (any number); the others count events (at least 1).
    const measured = current() === "aggregate";
    labels.threshold.firstChild.textContent = measured ? "Threshold" : FIELD_LABELS.threshold;
    inputs.threshold.min = measured ? "" : "1";
    inputs.threshold.step = measured ? "any" : "1";
    showPreview();
  };
  kind.addEventListener("change", showFields);
  inputs.scope.addEventListener("change", showFields);
  for (const input of Object.values(inputs)) input.addEventListener("input", showPreview);
  const form = h("form.inline", {
    "aria-label": rule ? "Edit rule" : "New rule",
    onsubmit: (e) => {
      e.preventDefault();
      const out = values();
      if (!rule) out.kind = kind.value;
      submit(out);
    },
  }, h("label", {}, "Kind", kind), Object.values(labels), h("button.primary", { type: "submit" }, rule ? "Save rule" : "Add rule"));
  showFields();
  return h("div", {}, form, preview);
}

// The little of Discord's markdown the core's messages use: ``` code blocks and **bold**.
function markdown(text) {
  return text.split("```").map((part, i) => i % 2
    ? h("pre.discord-code", {}, part.replace(/^\w*\n/, "").replace(/\n$/, ""))
    : part.split("**").map((t, j) => (j % 2 ? h("strong", {}, t) : t)));
}

const hex = (n) => `#${(n ?? 0x5865f2).toString(16).padStart(6, "0")}`;

/** The Discord message as Discord lays it out: a coloured bar, title, text, fields, footer. */
function discordPreview({ payloads, example }) {
  const embed = payloads.discord?.embeds?.[0];
  if (!embed) return h("p.muted", {}, "No Discord message for this rule.");
  return h("figure.discord", { "data-discord-preview": "" },
    h("figcaption.muted", {}, example ? "Discord preview (an example issue)" : "Discord preview (this project's latest issue)"),
    payloads.discord.content ? h("p.discord-content", {}, payloads.discord.content) : null,
    withBar(h("div.discord-embed", {},
      h("div.discord-title", {}, embed.title ?? ""),
      embed.description ? h("div.discord-text", {}, markdown(embed.description)) : null,
      embed.fields?.length ? h("div.discord-fields", {}, embed.fields.map((f) => h("div", { class: f.inline ? "inline" : "" },
        h("div.discord-name", {}, f.name), h("div.discord-value", {}, f.value)))) : null,
      embed.footer?.text ? h("div.discord-footer", {}, embed.footer.text) : null), hex(embed.color)));
}

// The embed's colour, set through the CSSOM (the Content-Security-Policy allows no inline styles).
function withBar(el, color) {
  el.style.borderLeftColor = color;
  return el;
}

function destinationForm(submit) {
  const kind = h("select", { name: "kind" }, destinationKinds().map((k) => h("option", { value: k }, k)));
  const url = h("input", { name: "url", type: "url", required: true, placeholder: "https://discord.com/api/webhooks/…", class: "grow" });
  const label = h("input", { name: "label", placeholder: "label (optional)" });
  const secret = h("input", { name: "secret", placeholder: "signing secret (webhook only)" });
  const interactive = h("input", { type: "checkbox", name: "interactive" });
  const buttons = h("label", { title: "A webhook made by edgelog's Discord application: its alerts carry Resolve, Ignore and Mute buttons" },
    interactive, " Buttons");
  const sync = () => { buttons.hidden = kind.value !== "discord"; };
  kind.addEventListener("change", sync);
  sync();
  return h("form.inline", {
    "aria-label": "New destination",
    onsubmit: (e) => {
      e.preventDefault();
      const d = { kind: kind.value, url: url.value };
      if (label.value) d.label = label.value;
      if (secret.value) d.secret = secret.value;
      if (kind.value === "discord" && interactive.checked) d.interactive = true;
      submit(d);
    },
  }, h("label", {}, "Kind", kind), h("label", { class: "grow" }, "URL", url), h("label", {}, "Label", label), h("label", {}, "Secret", secret),
  buttons, h("button.primary", { type: "submit" }, "Add destination"));
}
