// Explore: a query bar (free text plus field:value filters), level toggles, facets, a histogram
// of the matching events, expandable results with highlighted terms, links that restore the exact
// view, export, and one event with the events around it.
import { controls, listProjects, rangeOf, update } from "../app.js";
import { api, qs } from "../api.js";
import { LEVELS, volumeChart } from "../chart.js";
import { copyButton, errorBox, fmtNumber, fmtTime, h, highlight, levelBadge, replace } from "../dom.js";

export const FIELDS = ["source", "env", "component", "endpoint", "source_type", "error_type", "fingerprint",
  "user_id", "request_id", "release"];
const FACETS = ["source", "env", "component", "endpoint", "release"];
const COPYABLE = ["request_id", "fingerprint", "event_id"];

/** "timeout source:api -env:staging" → {q: "timeout", source: "api", not: {env: ["staging"]}}. */
export function parseQuery(text) {
  const out = { q: [], not: {} };
  for (const m of text.matchAll(/(-?)([a-z_]+):("([^"]*)"|\S+)|("[^"]*"\*?|\S+)/g)) {
    const value = m[4] ?? m[3];
    if (m[2] && FIELDS.includes(m[2]) && m[1]) (out.not[m[2]] ??= []).push(value);
    else if (m[2] && (FIELDS.includes(m[2]) || m[2] === "level") && !m[1]) out[m[2]] = value;
    else out.q.push(m[0]);
  }
  out.q = out.q.join(" ");
  return out;
}

const quoted = (v) => (/\s/.test(v) ? `"${v}"` : v);

/** The query bar text for the filters in the URL (with `level:` when the page has no level toggles). */
export function queryText(params, { withLevel = false } = {}) {
  const parts = [];
  for (const f of FIELDS) if (params.get(f)) parts.push(`${f}:${quoted(params.get(f))}`);
  for (const f of FIELDS) for (const v of params.getAll(`not.${f}`)) parts.push(`-${f}:${quoted(v)}`);
  if (withLevel && params.get("level")) parts.push(`level:${params.get("level")}`);
  if (params.get("q")) parts.push(params.get("q"));
  return parts.join(" ");
}

/** URL changes for a submitted query bar; `level:` replaces the levels when `withLevel`, else adds. */
export function queryChanges(text, { withLevel = false } = {}) {
  const parsed = parseQuery(text);
  const changes = { q: parsed.q || null };
  for (const f of FIELDS) {
    changes[f] = parsed[f] ?? null;
    changes[`not.${f}`] = parsed.not[f] ?? null;
  }
  if (withLevel || parsed.level) changes.level = parsed.level ?? null;
  return changes;
}

/** The API's filter parameters from the URL (and its time range when `range`). */
export function filtersOf(params, { range = true } = {}) {
  const out = { project: params.get("project"), q: params.get("q"), level: params.get("level"), ...(range ? rangeOf(params) : {}) };
  for (const f of FIELDS) {
    out[f] = params.get(f);
    out[`not.${f}`] = params.getAll(`not.${f}`);
  }
  return out;
}

export async function render(view, r) {
  return r.name === "event" ? renderEvent(view, r) : renderExplore(view, r);
}

async function renderExplore(view, { params }) {
  const ctl = await controls(params, (changes) => update(changes));
  const input = h("input", { type: "search", name: "q", "aria-label": "Search", placeholder: 'Search: words, "phrases", prefix*, -exclude, source:api env:production …', value: queryText(params) });
  const form = h("form.toolbar", {
    role: "search",
    onsubmit: (e) => {
      e.preventDefault();
      update(queryChanges(input.value));
    },
  }, input, h("button.primary", { type: "submit" }, "Search"));
  const levels = (params.get("level") ?? "").split(",").filter(Boolean);
  const levelBar = h("span.levels", { role: "group", "aria-label": "Levels" }, LEVELS.map((l) => h("button", {
    type: "button", "aria-pressed": String(levels.includes(l)),
    onclick: () => update({ level: (levels.includes(l) ? levels.filter((x) => x !== l) : [...levels, l]).join(",") || null }),
  }, l)));
  const filters = filtersOf(params);
  // The project column only when the results can come from several projects.
  const manyProjects = !params.get("project") && (await listProjects()).length > 1;
  const exportLink = (format) => h("a.button", { href: `/api/export${qs({ ...filters, format, limit: 10000 })}`, download: "" }, `Export ${format.toUpperCase()}`);
  const status = h("p.muted", { "aria-live": "polite" });
  const chartBox = h("div.chart.explore-chart", { role: "img", "aria-label": "Matching events per bucket" });
  const chartNote = h("span.muted");
  const results = h("tbody");
  const facets = h("div.facets");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  // Compact: the controls in two rows, a short chart, then ~30 lines at 1280×800.
  replace(view, h("h1.sr-only", {}, "Explore"),
    h("div.toolbar.explore-bar", {}, ctl.nodes, form),
    h("div.toolbar", {}, levelBar, status, chartNote, h("span.spacer"), copyButton(location.href, "Copy link"), exportLink("ndjson"), exportLink("csv")),
    h("section.panel.chart-panel", {}, chartBox),
    h("div.layout-explore", {},
      h("aside.panel", { "aria-label": "Facets" }, h("h2", {}, "Facets"), facets),
      h("section.panel.table-wrap.results", {}, h("table.log", {}, h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Level"),
        h("th", {}, "Source"), h("th", {}, "Message"), manyProjects ? h("th.hide-narrow", {}, "Project") : null)), results), more)));

  // A value clicked shows only its events; alt-clicked, leaves them out (added to the others left out).
  const pick = (f, v, ev) => update(ev?.altKey
    ? { [`not.${f}`]: [...new Set([...params.getAll(`not.${f}`), v])], ...(params.get(f) === v ? { [f]: null } : {}) }
    : { [f]: v, [`not.${f}`]: params.getAll(`not.${f}`).filter((x) => x !== v) });
  let chart = null;
  let terms = [];
  let totalText = "";
  const loaded = [];
  const loadPage = async (before) => {
    const body = await api(`/api/logs${qs({ ...filters, before, limit: 100 })}`);
    terms = body.terms;
    loaded.push(...body.logs);
    for (const e of body.logs) results.append(...resultRows(e, terms, { manyProjects, filter: pick }));
    if (body.total !== undefined)
      totalText = body.total_exact ? `${fmtNumber(body.total)} events` : `about ${fmtNumber(body.total)} events (estimate)`;
    status.textContent = `${totalText} · showing ${fmtNumber(loaded.length)}`;
    if (!body.logs.length && !loaded.length) results.append(h("tr", {}, h("td", { colspan: 5 }, h("p.muted", {}, body.next_before ? "Nothing yet in the newest events searched; load more to search further back." : "No events match."))));
    more.hidden = !body.next_before;
    more.onclick = () => loadPage(body.next_before).catch((err) => status.replaceChildren(errorBox(err)));
    drawFacets();
  };
  const drawFacets = () => {
    replace(facets, FACETS.map((f) => {
      const counts = new Map();
      for (const e of loaded) if (e[f]) counts.set(e[f], (counts.get(e[f]) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
      return top.length ? h("div", {}, h("h3", {}, f), top.map(([v, n]) => h("div", {},
        h("button", { type: "button", title: `Show only ${f}:${v} (alt-click: leave it out)`, onclick: (ev) => pick(f, v, ev) }, v), " ", h("span.muted", {}, fmtNumber(n))))) : null;
    }), loaded.length ? h("p.muted", {}, `In the ${fmtNumber(loaded.length)} events shown.`) : h("p.muted", {}, "No events shown."));
  };
  try {
    const [hist] = await Promise.all([
      api(`/api/logs/histogram${qs({ ...filters, before: undefined })}`),
      loadPage(null),
    ]);
    chart = volumeChart(chartBox, hist.buckets, {
      bucketMs: hist.bucket_ms, height: 80,
      onselect: (a, b) => update({ range: "custom", from: new Date(a).toISOString(), to: new Date(b).toISOString() }),
    });
    chartNote.textContent = hist.complete ? `${hist.bucket_ms / 60000} min buckets.`
      : `${hist.bucket_ms / 60000} min buckets; counted back to ${fmtTime(hist.covered_from)} (the newest events of a busy range).`;
  } catch (err) {
    status.replaceChildren(errorBox(err));
  }
  return { cleanup: () => chart?.destroy() };
}

/** A result: one dense line (time, level, source, message; the project when several), a click
 *  away from the whole event below it. */
function resultRows(e, terms, { manyProjects, filter }) {
  const detail = h("tr.event-detail", { hidden: true }, h("td", { colspan: manyProjects ? 5 : 4 }, eventBlock(e, terms, { filter })));
  const row = h("tr.event-row", { "data-id": e.id, tabindex: "0", "aria-expanded": "false",
    onclick: (ev) => { if (!ev.target.closest("a, button")) flip(); },
    onkeydown: (ev) => { if (ev.key === "Enter") flip(); } },
    h("td.t", {}, h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))),
    h("td", {}, levelBadge(e.level)),
    h("td.src", {}, e.source ?? ""),
    h("td.msg", {}, highlight(e.message, terms)),
    manyProjects ? h("td.hide-narrow.muted", {}, e.project) : null);
  function flip() {
    detail.hidden = !detail.hidden;
    row.setAttribute("aria-expanded", String(!detail.hidden));
  }
  return [row, detail];
}

/** One event in full: message, fields, stack (in-app frames marked), ctx and tags as JSON. */
export function eventBlock(e, terms = [], { filter = null } = {}) {
  const fields = ["project", "env", "source", "source_type", "component", "endpoint", "release", "user_id", "request_id",
    "session_id", "event_id", "error_type", "exception_type", "action", "hint", "fingerprint"];
  const flags = [e.truncated ? `truncated: ${Object.keys(e.truncated).join(", ")}` : null, e.scrubbed ? "values scrubbed" : null,
    e.ts_original ? `time replaced (sent ${e.ts_original})` : null].filter(Boolean);
  return h("div", {},
    h("p.msg", {}, levelBadge(e.level), " ", highlight(e.message, terms)),
    flags.length ? h("p.notice", {}, flags.join(" · ")) : null,
    h("table.fields", {}, h("tbody", {},
      h("tr", {}, h("th", {}, "time"), h("td", {}, fmtTime(e.ts, { ms: true }), h("span.muted", {}, ` (received ${fmtTime(e.received_at, { ms: true })})`))),
      fields.filter((f) => e[f] !== undefined && e[f] !== null).map((f) => h("tr", {}, h("th", {}, f),
        h("td", {}, f === "fingerprint" ? h("a", { href: `#/issue/${e.fingerprint}?project=${encodeURIComponent(e.project)}` }, e[f])
          : filter && FIELDS.includes(f) ? h("button.value", { type: "button", title: `Show only ${f}:${e[f]} (alt-click: leave it out)`,
            onclick: (ev) => filter(f, String(e[f]), ev) }, String(e[f]))
          : String(e[f]),
        COPYABLE.includes(f) ? [" ", copyButton(String(e[f]), "Copy")] : null))))),
    e.frames?.length ? [h("h3", {}, "Stack"), h("ol.frames", {}, e.frames.map((f) => h("li", { class: f.in_app ? "in-app" : "" },
      `${f.function || "?"}  ${f.module || f.file || ""}${f.line ? `:${f.line}` : ""}`, f.in_app ? h("span.muted", {}, "  in app") : null)))]
      : null,
    e.stack ? [h("h3", {}, "Raw stack"), h("pre", {}, highlight(e.stack, terms))] : null,
    e.ctx ? [h("h3", {}, "ctx"), h("pre", {}, JSON.stringify(e.ctx, null, 2))] : null,
    e.tags ? [h("h3", {}, "tags"), h("pre", {}, JSON.stringify(e.tags, null, 2))] : null,
    h("p", {}, h("a", { href: `#/event/${e.id}` }, "Events around this one")));
}

async function renderEvent(view, { arg: id }) {
  try {
    const body = await api(`/api/logs/${encodeURIComponent(id)}?context=10`);
    const row = (e, current) => h("tr", { class: current ? "current" : "" },
      h("td", {}, current ? fmtTime(e.ts) : h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))), h("td", {}, levelBadge(e.level)), h("td.msg", {}, e.message));
    replace(view,
      h("p", {}, h("a", { href: `#/explore${qs({ project: body.event.project })}` }, "← Explore")),
      h("h1", {}, "Event ", body.event.id),
      h("section.panel", {}, eventBlock(body.event)),
      h("section.panel", {}, h("h2", {}, "Around it in time"),
        h("div.table-wrap", {}, h("table", {}, h("tbody", {},
          [...body.before].reverse().map((e) => row(e, false)), row(body.event, true), body.after.map((e) => row(e, false)))))));
  } catch (err) {
    replace(view, h("h1", {}, "Event"), errorBox(err));
  }
}
