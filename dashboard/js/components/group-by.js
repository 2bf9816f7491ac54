// Explore's "Visualize": fields to group the matching events by and measures of each group (the
// core's aggregation, GET /api/logs/aggregate), as a chart over time split by group and a table;
// `by`, `agg` and `interval` live in the URL.
import { api, qs } from "./api.js";
import { seriesChart } from "./chart.js";
import { fmtNumber, h, replace } from "./dom.js";
import { showQueryProblem } from "./query-bar.js";

const CHART_GROUPS = 8;
const label = (a, g) => a.by.map((name) => g.key[name] ?? "(none)").join(" · ") || "all";

const fmtDuration = (ms) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h`
  : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`);
const fmtValue = (v, measure) => (v === null || v === undefined ? "–"
  : measure === "count" || measure.startsWith("count_distinct") ? fmtNumber(v)
    : Number.isInteger(v) ? fmtNumber(v) : Number(v.toPrecision(4)).toLocaleString("en-US"));

// The query term that keeps only one group's value of `field` (none: `!has:field`).
const termFor = (field, value) => (value === null || value === undefined ? `!has:${field}`
  : `${field}:"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);

/** The panel: a form (by, agg, interval) that calls `update` and, when the URL has them, the
 *  groups of the events `filters` match — the first measure over time, a line per group (the 8
 *  largest), then the table; a group's value is a button that narrows the query to it. `load`
 *  answers a cleanup for the chart. */
export function groupBy(params, filters, update) {
  const by = h("input", { name: "by", "aria-label": "Group by", placeholder: "endpoint, ctx.user.plan", value: params.get("by") ?? "" });
  const agg = h("input", { name: "agg", "aria-label": "Measures", placeholder: "count, p95(ctx.duration_ms), count_distinct(user_id)",
    value: params.get("agg") ?? "" });
  const interval = h("select", { name: "interval", "aria-label": "Per" }, [["auto", "over time"], ["1m", "per minute"], ["5m", "per 5 min"],
    ["1h", "per hour"], ["1d", "per day"], ["none", "no chart"]].map(([v, t]) => h("option", { value: v, selected: (params.get("interval") ?? "auto") === v }, t)));
  const problem = h("span.field-error", { role: "alert" });
  const chartBox = h("div.chart.group-chart", { role: "img", "aria-label": "The first measure per group over time" });
  const table = h("div.table-wrap");
  const alertLink = h("a.button", { "data-needs": "admin", title: "An aggregate rule: alert when a group's first measure crosses a threshold" }, "Alert on these groups");
  const note = h("p.muted");
  const form = h("form.toolbar.group-by", {
    "aria-label": "Group by",
    onsubmit: (e) => {
      e.preventDefault();
      update({ by: by.value.trim() || null, agg: agg.value.trim() || "count", interval: interval.value === "auto" ? null : interval.value });
    },
  }, by, agg, interval, h("button.primary", { type: "submit" }, "Visualize"),
  h("button", { type: "button", onclick: () => update({ by: null, agg: null, interval: null }) }, "Close"), alertLink, problem);
  const load = async () => {
    let chart = null;
    const per = params.get("interval") ?? "auto";
    alertLink.href = `#/alerts?${new URLSearchParams({ project: filters.project ?? "", query: filters.q ?? "", by: params.get("by") ?? "",
      agg: params.get("agg") ?? "count" })}`;
    alertLink.hidden = !filters.project;
    try {
      const a = await api(`/api/logs/aggregate${qs({ ...filters, by: params.get("by") ?? "", agg: params.get("agg") ?? "", limit: 50,
        interval: per === "none" ? undefined : per })}`);
      if (a.interval_ms && a.groups.length) {
        const first = a.measures[0];
        const top = a.groups.slice(0, CHART_GROUPS).map((g) => ({ label: label(a, g),
          series: g.series.map((p) => ({ t: p.t, value: p.values[first] })) }));
        chartBox.hidden = false;
        chart = seriesChart(chartBox, top, { intervalMs: a.interval_ms, from: Date.parse(a.from),
          to: Math.min(Date.parse(a.to), Date.now()), format: (v) => fmtValue(v, first) });
      } else {
        chartBox.hidden = true;
      }
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
        + (a.interval_ms ? ` · ${a.measures[0]} per ${fmtDuration(a.interval_ms)}${a.groups.length > CHART_GROUPS ? `, the ${CHART_GROUPS} largest charted` : ""}` : "")
        + ` · ${fmtNumber(a.scanned)} events read${a.complete ? "" : ` (the newest, back to ${new Date(a.covered_from).toISOString().slice(0, 16).replace("T", " ")})`}`
        + (a.other ? ` · ${fmtNumber(a.other)} events past the group limit` : "");
    } catch (err) {
      if (err.status !== 400) throw err;
      const input = err.field === "agg" ? agg : err.field === "by" ? by : null;
      if (input) showQueryProblem(problem, input, { message: err.message, position: err.position });
      else problem.textContent = err.message;
      replace(table);
      chartBox.hidden = true;
    }
    return () => chart?.destroy();
  };
  return { node: h("section.panel.group-panel", { "aria-label": "Groups" }, form, chartBox, table, note), load };
}
