// A project's saved queries, beside the results: run one with a click, save the bar's text under
// a name (saving a name again replaces it), delete one, or make an alert rule of the bar's query.
import { api } from "./api.js";
import { h, replace, toast } from "./dom.js";

/** The panel for project `slug`; `input` is the query bar, `run()` submits it. The list fills in
 *  when it arrives: the page does not wait for it. */
export function savedQueries({ slug, input, run }) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/queries`;
  const list = h("ul.saved-list");
  const name = h("input", { name: "save-name", "aria-label": "Name", placeholder: "name", maxlength: 100, required: true });
  const saveForm = h("form.save-query", { hidden: true, "aria-label": "Save the query" },
    name, h("button.primary", { type: "submit" }, "Save"));
  const alertLink = h("a", { href: "#/alerts", title: "An error-rate rule that counts what this query matches" }, "Alert on this query");
  const load = async () => {
    const { queries } = await api(base);
    replace(list, ...(queries.length ? queries.map((q) => h("li", {},
      h("button.link", { type: "button", title: q.query, "aria-current": String(q.query === input.value.trim()),
        onclick: () => { input.value = q.query; run(); } }, q.name),
      h("button.icon", { type: "button", "aria-label": `Delete the saved query ${q.name}`, onclick: async () => {
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
      await api(base, { method: "POST", body: { name: name.value, query: input.value.trim() } });
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
