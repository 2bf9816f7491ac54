// A project's saved queries, beside the results: each a link that runs it (with its Visualize view,
// when it was saved with one), to share or click; save the bar's text and the open view under a
// name (saving a name again replaces them), delete one, or make an alert rule of the bar's query.
import { api } from "./api.js";
import { h, replace, toast } from "./dom.js";

// Explore's URL for a saved query and its view.
const linkOf = (slug, q) => `#/explore?${new URLSearchParams({ project: slug, q: q.query, range: "24h",
  ...(q.view ? { by: q.view.by, agg: q.view.agg, ...(q.view.interval !== "auto" ? { interval: q.view.interval } : {}) } : {}) })}`;

/** The panel for project `slug`; `input` is the query bar; `view()` is the open Visualize view
 *  ({by, agg, interval}) or null. The list fills in when it arrives: the page does not wait for it. */
export function savedQueries({ slug, input, view }) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/queries`;
  const list = h("ul.saved-list");
  const name = h("input", { name: "save-name", "aria-label": "Name", placeholder: "name", maxlength: 100, required: true });
  const saveForm = h("form.save-query", { hidden: true, "aria-label": "Save the query" },
    name, h("button.primary", { type: "submit", "data-needs": "responder" }, "Save"));
  const alertLink = h("a", { href: "#/alerts", "data-needs": "admin", title: "An error-rate rule that counts what this query matches" }, "Alert on this query");
  const load = async () => {
    const { queries } = await api(base);
    replace(list, ...(queries.length ? queries.map((q) => h("li", {},
      h("a.saved-link", { href: linkOf(slug, q), title: q.view ? `${q.query} · ${q.view.agg} by ${q.view.by || "nothing"}` : q.query,
        "aria-current": String(q.query === input.value.trim()) }, q.name, q.view ? h("span.muted", {}, " (chart)") : null),
      h("button.icon", { type: "button", "data-needs": "responder", "aria-label": `Delete the saved query ${q.name}`, onclick: async () => {
        if (!confirm(`Delete the saved query "${q.name}"?`)) return;
        await api(`${base}/${q.id}`, { method: "DELETE" }).then(() => toast("Saved query deleted"), (err) => toast(err.message));
        await load();
      } }, "×"))) : [h("li.muted", {}, "None yet.")]));
  };
  const linkAlert = () => {
    alertLink.href = `#/alerts?${new URLSearchParams({ project: slug, query: input.value.trim() })}`;
    alertLink.hidden = !input.value.trim();
  };
  saveForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api(base, { method: "POST", body: { name: name.value, query: input.value.trim(), view: view() } });
      toast(`Saved as "${name.value.trim()}"`);
      saveForm.hidden = true;
      name.value = "";
      await load();
    } catch (err) {
      toast(err.message);
    }
  });
  const toggle = h("button", { type: "button", onclick: () => {
    saveForm.hidden = !saveForm.hidden;
    if (!saveForm.hidden) name.focus();
  } }, "Save this query…");
  input.addEventListener("input", linkAlert);
  linkAlert();
  load().catch((err) => replace(list, h("li.muted", {}, err.message)));
  return h("section.saved-queries", { "aria-label": "Saved queries" }, h("h2", {}, "Saved queries"), list,
    h("p", {}, toggle), saveForm, h("p", {}, alertLink));
}
