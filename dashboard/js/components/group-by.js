// Explore's "Group by": fields to group the matching events by and measures of each group (the
// core's aggregation, GET /api/logs/aggregate), as a table; `by` and `agg` live in the URL.
import { api, qs } from "./api.js";
import { fmtNumber, h, replace } from "./dom.js";
import { showQueryProblem } from "./query-bar.js";

const fmtValue = (v, measure) => (v === null || v === undefined ? "–"
  : measure === "count" || measure.startsWith("count_distinct") ? fmtNumber(v)
    : Number.isInteger(v) ? fmtNumber(v) : Number(v.toPrecision(4)).toLocaleString("en-US"));

// The query term that keeps only one group's value of `field` (none: `!has:field`).
const termFor = (field, value) => (value === null || value === undefined ? `!has:${field}`
  : `${field}:"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);

/** The panel: a form (by, agg) that calls `update` and, when the URL has them, the groups of the
 *  events `filters` match; a group's value is a button that narrows the query to it. */
export function groupBy(params, filters, update) {
  const by = h("input", { name: "by", "aria-label": "Group by", placeholder: "endpoint, ctx.user.plan", value: params.get("by") ?? "" });
  const agg = h("input", { name: "agg", "aria-label": "Measures", placeholder: "count, p95(ctx.duration_ms), count_distinct(user_id)",
    value: params.get("agg") ?? "" });
  const problem = h("span.field-error", { role: "alert" });
  const table = h("div.table-wrap");
  const note = h("p.muted");
  const form = h("form.toolbar.group-by", {
    "aria-label": "Group by",
    onsubmit: (e) => {
      e.preventDefault();
      update({ by: by.value.trim() || null, agg: agg.value.trim() || "count" });
    },
  }, by, agg, h("button.primary", { type: "submit" }, "Group"),
  h("button", { type: "button", onclick: () => update({ by: null, agg: null }) }, "Close"), problem);
  const load = async () => {
    try {
      const a = await api(`/api/logs/aggregate${qs({ ...filters, by: params.get("by") ?? "", agg: params.get("agg") ?? "", limit: 50 })}`);
      const columns = [...a.by, ...a.measures];
      replace(table, h("table.groups", {},
        h("thead", {}, h("tr", {}, columns.map((c, i) => h(i < a.by.length ? "th" : "th.num", {}, c)))),
        h("tbody", {}, a.groups.length ? a.groups.map((g) => h("tr", {},
          a.by.map((name) => h("td", {}, h("button.link", {
            type: "button", title: `Only ${termFor(name, g.key[name])}`,
            onclick: () => update({ q: [params.get("q"), termFor(name, g.key[name])].filter(Boolean).join(" ") }),
          }, g.key[name] ?? h("span.muted", {}, "(none)")))),
          a.measures.map((m) => h("td.num", {}, fmtValue(g.values[m], m)))))
          : h("tr", {}, h("td", { colspan: columns.length }, h("p.muted", {}, "No events match."))))));
      note.textContent = `${fmtNumber(a.total_groups)} group${a.total_groups === 1 ? "" : "s"}${a.total_groups > a.groups.length ? `, the ${a.groups.length} largest shown` : ""}`
        + ` · ${fmtNumber(a.scanned)} events read${a.complete ? "" : ` (the newest, back to ${new Date(a.covered_from).toISOString().slice(0, 16).replace("T", " ")})`}`
        + (a.other ? ` · ${fmtNumber(a.other)} events past the group limit` : "");
    } catch (err) {
      if (err.status !== 400) throw err;
      const input = err.field === "agg" ? agg : err.field === "by" ? by : null;
      if (input) showQueryProblem(problem, input, { message: err.message, position: err.position });
      else problem.textContent = err.message;
      replace(table);
    }
  };
  return { node: h("section.panel.group-panel", { "aria-label": "Groups" }, form, table, note), load };
}
