// Overview: totals, volume by level, error rate, top issues with sparklines, recent errors,
// top sources/endpoints/components and dropped events — for a project (or all) and a range; and
// the storage: the database against its limit, its growth and days left, the hot and cold tiers.
import { may } from "../components/roles.js";
import { api, health, qs } from "../components/api.js";
import { volumeChart } from "../components/chart.js";
import { rangeOf } from "../components/query-bar.js";
import {
  barList, errorBox, fmtAgo, fmtNumber, fmtPercent, fmtTime, h, levelBadge, replace, sparkline, statusBadge,
} from "../components/dom.js";

const REFRESH_MS = 30_000;

export async function render(view, { params, nav: { controls, go, update } }) {
  const ctl = await controls(params, (changes) => update(changes));
  const auto = h("button", { type: "button", "aria-pressed": String(params.get("auto") !== "off"),
    onclick: () => update({ auto: params.get("auto") === "off" ? null : "off" }) }, "Auto-refresh");
  const updated = h("span.muted", {});
  const notices = h("div", {});
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  const storage = h("div", {});
  replace(view, h("h1", {}, "Overview"), h("div.toolbar", {}, ctl.nodes, h("span.spacer"), updated, auto), notices, body, storage);

  let chart = null;
  const load = async () => {
    const { from, to } = rangeOf(params);
    const project = params.get("project");
    // The deployment's health and storage are for admins of every project; they never fail the page.
    if (may("admin")) {
      health().then((state) => replace(notices, ...storageNotices(state)));
      api("/api/admin/storage").then((s) => replace(storage, storagePanel(s)), () => replace(storage));
    }
    try {
      const [stats, top, recent, baseline] = await Promise.all([
        api(`/api/stats${qs({ project, from, to })}`),
        api(`/api/issues${qs({ project, from, to, sort: "count", limit: 8 })}`),
        api(`/api/logs${qs({ project, from, to, level: "error,fatal", limit: 10 })}`),
        // The usual band behind the volume chart; a help, never a reason for the page to fail.
        api(`/api/stats/baseline${qs({ project, from, to })}`).catch(() => null),
      ]);
      chart?.destroy();
      chart = draw(body, stats, top, recent, { project, from, to, baseline: baseline?.hours ?? null });
      updated.textContent = `Updated ${fmtTime(new Date()).slice(11)}`;
    } catch (err) {
      replace(body, errorBox(err));
    }
  };
  await load();
  const timer = params.get("auto") === "off" ? null : setInterval(load, REFRESH_MS);
  return { cleanup: () => { clearInterval(timer); chart?.destroy(); } };
}

/** What the operator should know about storage: D1 down, writes waiting in the queue, dead letters. */
const count = (n, one, many) => `${fmtNumber(n)} ${n === 1 ? one : many}`;

function storageNotices(state) {
  if (!state) return [];
  const out = [];
  const q = state.queue ?? {};
  if (state.database === "unavailable")
    out.push(q.bound ? "The database is unavailable: accepted batches wait in the ingest queue and are written when it is back."
      : "The database is unavailable: ingestion answers 503 and clients keep their batches (no ingest queue is bound).");
  if (q.backlog_batches)
    out.push(`${count(q.backlog_batches, "batch", "batches")} (${count(q.backlog_events, "event", "events")}) waiting in the ingest queue, the oldest for ${q.oldest_age_s} s: readable once written.`);
  if (q.dead_letters)
    out.push(`${count(q.dead_letters, "batch", "batches")} ran out of queue retries and wait in KV: the hourly maintenance (or POST /api/admin/maintain) writes them.`);
  return out.map((text) => h("div.notice", { role: "status", "data-notice": "storage" }, text));
}

const fmtSize = (b) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : b >= 1024 ** 2 ? `${(b / 1024 ** 2).toFixed(1)} MiB`
  : `${Math.round(b / 1024)} KiB`);

/** The database against its limit, its growth and days left, and what each tier holds. */
function storagePanel({ database: d, tiers: t, open_data: o }) {
  const row = (label, value, id) => h("tr", { "data-storage": id }, h("th", {}, label), h("td.num", {}, value));
  const used = d ? Math.min(1, d.used) : 0;
  const warn = d && (d.used >= 0.8 || (d.days_to_full !== null && d.days_to_full < 14));
  const fill = h("span", {});
  fill.style.width = `${(used * 100).toFixed(1)}%`; // CSSOM, which the CSP allows
  return h("section.panel", { "data-panel": "storage" }, h("h2", {}, "Storage"),
    d ? h("div", {},
      h("div.meter", { role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(used * 100),
        "aria-label": "Database used", class: warn ? "warn" : null }, fill),
      h("p", { class: warn ? "notice" : "muted", "data-storage": "summary" },
        `The database holds ${fmtSize(d.bytes)} of ${fmtSize(d.limit_bytes)} (${fmtPercent(d.used)}).`,
        d.growth_bytes_per_day === null ? " Its growth shows once it has been measured a day apart."
          : d.days_to_full === null ? ` It grows ${fmtSize(Math.max(0, d.growth_bytes_per_day))} a day: it is not filling.`
            : ` It grows ${fmtSize(d.growth_bytes_per_day)} a day: full in ${d.days_to_full} days at that rate.`)) : null,
    h("div.table-wrap", {}, h("table", {}, h("tbody", {},
      row("Events in the database (hot)", `${fmtNumber(t.hot_events)} in ${count(t.hot_segments, "segment", "segments")}`, "hot"),
      row("Events on R2 (cold)", t.cold_tier ? `${fmtNumber(t.cold_events)} in ${count(t.cold_segments, "segment", "segments")}, ${count(t.cold_objects, "pack", "packs")}, ${fmtSize(t.cold_bytes)}`
        : "no R2 bucket is bound: everything stays in the database", "cold"),
      row("Open data (Parquet on R2)", o.parquet ? `${count(o.rows, "event", "events")} in ${count(o.files, "file", "files")}, ${fmtSize(o.bytes)}${o.pipeline ? ", and to the Pipeline" : ""}`
        : "not exported", "open-data")))));
}

function draw(body, stats, top, recent, { project, from, to, baseline }) {
  const t = stats.totals;
  const errors = t.by_level.error + t.by_level.fatal;
  const card = (label, value, id, note = null) => h("div.card", { "data-stat": id }, h("div.label", {}, label), h("div.value", {}, value),
    note ? h("div.muted", {}, note) : null);
  const chartBox = h("div.chart", { "aria-label": "Events per bucket, stacked by level", role: "img" });
  const explore = (extra) => go("explore", { project, range: from && !to && /^\d+[mhd]$/.test(from) ? from : null, ...extra });
  replace(body,
    h("div.cards", {},
      card("Events", fmtNumber(t.events), "events"),
      card("Errors", fmtNumber(errors), "errors"),
      card("Error rate", fmtPercent(stats.error_rate), "error-rate"),
      card("Warnings", fmtNumber(t.by_level.warn), "warnings"),
      card("Dropped", fmtNumber(stats.dropped), "dropped",
        stats.dropped_requests ? `+ ${fmtNumber(stats.dropped_requests)} requests refused whole` : null)),
    h("section.panel", {}, h("h2", {}, "Event volume"),
      h("p.muted", {}, `${fmtTime(stats.from)} – ${fmtTime(stats.to)}, ${stats.bucket_ms / 60000} min buckets. Drag across the chart to explore a span.`),
      chartBox),
    h("div.grid.wide", {},
      h("section.panel", {}, h("h2", {}, "Top issues"), top.issues.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Issue"), h("th.num", {}, "Events"), h("th.hide-narrow", {}, "Trend"))),
        h("tbody", {}, top.issues.map((i) => h("tr.row-link", { onclick: () => go("issue", { project: i.project }, { arg: i.fingerprint }) },
          h("td", {}, levelBadge(i.level), " ", h("a", { href: `#/issue/${i.fingerprint}?project=${encodeURIComponent(i.project)}` }, i.title), " ", statusBadge(i.status)),
          h("td.num", {}, fmtNumber(i.count)),
          h("td.hide-narrow", {}, sparkline(i.sparkline))))))) : h("p.muted", {}, "No issues in this range.")),
      h("section.panel", {}, h("h2", {}, "Recent errors"), recent.logs.length ? h("div.table-wrap", {}, h("table", {},
        h("tbody", {}, recent.logs.map((e) => h("tr", {},
          h("td", {}, levelBadge(e.level)),
          h("td.msg", {}, h("a", { href: `#/event/${e.id}` }, e.message), h("div.muted", {}, `${e.project} · ${fmtAgo(e.ts)}${e.source ? ` · ${e.source}` : ""}`))))))) : h("p.muted", {}, "No errors in this range."))),
    h("div.grid", {},
      ...["source", "endpoint", "component"].map((field) => h("section.panel", {}, h("h2", {}, `Top ${field}s`),
        stats.top[field].length ? barList(stats.top[field], { onpick: (value) => explore({ [field]: value }) }) : h("p.muted", {}, `No ${field} in this range.`),
        stats.top_sampled ? h("p.muted", {}, `Among the newest ${fmtNumber(stats.top_sampled)} events.`) : null)),
      h("section.panel", {}, h("h2", {}, "Ingest outcomes"), stats.outcomes.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Outcome"), h("th", {}, "Reason"), h("th.num", {}, "Events"), h("th.num", {}, "Requests refused"))),
        h("tbody", {}, stats.outcomes.map((o) => h("tr", {}, h("td", {}, o.outcome), h("td", {}, o.reason || "–"),
          h("td.num", {}, fmtNumber(o.events)), h("td.num", {}, o.requests ? fmtNumber(o.requests) : ""))))))
        : h("p.muted", {}, "Nothing received in this range."))));
  return volumeChart(chartBox, stats.histogram, {
    bucketMs: stats.bucket_ms, baseline,
    onselect: (a, b) => go("explore", { project, range: "custom", from: new Date(a).toISOString(), to: new Date(b).toISOString() }),
  });
}
