// Explore: a query bar (free text plus field:value filters), level toggles, facets, a histogram
// of the matching events, expandable results with highlighted terms, links that restore the exact
// view, export, and one event with the events around it.
import { api, qs } from "../components/api.js";
import { volumeChart } from "../components/chart.js";
import { copyButton, errorBox, fmtNumber, fmtTime, h, highlight, levelBadge, replace } from "../components/dom.js";
import { eventBlock } from "../components/event-block.js";
import { groupBy } from "../components/group-by.js";
import { filtersOf, queryChanges, queryText, queryValue, showQueryProblem } from "../components/query-bar.js";
import { savedQueries } from "../components/saved-queries.js";
import { withSuggestions } from "../components/suggest.js";
import { levels as allLevels } from "../components/vocabulary.js";

const FACETS = ["source", "env", "component", "endpoint", "release"];

export async function render(view, r) {
  return r.name === "event" ? renderEvent(view, r) : renderExplore(view, r);
}

async function renderExplore(view, { params, nav: { controls, listProjects, update } }) {
  const ctl = await controls(params, (changes) => update(changes));
  const input = h("input", { type: "search", name: "q", "aria-label": "Search", placeholder: 'Search: words, "phrases", prefix*, -exclude, source:api, ctx.order.id:ord_1, ctx.duration_ms:>500, a OR b …', value: queryText(params) });
  const problem = h("span.field-error", { role: "alert" });
  const form = h("form.toolbar", {
    role: "search",
    onsubmit: async (e) => {
      e.preventDefault();
      const read = await queryChanges(input.value).catch((err) => ({ error: err }));
      showQueryProblem(problem, input, read.error ?? null);
      if (!read.error) update(read.changes);
    },
  }, withSuggestions(input, { project: params.get("project") }), h("button.primary", { type: "submit" }, "Search"), problem);
  // Saved queries are a project's: shown when one project is picked.
  const saved = params.get("project") ? savedQueries({ slug: params.get("project"), input,
    view: () => (params.has("by") || params.has("agg")
      ? { by: params.get("by") ?? "", agg: params.get("agg") ?? "count", interval: params.get("interval") ?? "auto" } : null) }) : null;
  const levels = (params.get("level") ?? "").split(",").filter(Boolean);
  const levelBar = h("span.levels", { role: "group", "aria-label": "Levels" }, allLevels().map((l) => h("button", {
    type: "button", "aria-pressed": String(levels.includes(l)),
    onclick: () => update({ level: (levels.includes(l) ? levels.filter((x) => x !== l) : [...levels, l]).join(",") || null }),
  }, l)));
  const filters = filtersOf(params);
  // Group by: open when the URL names fields or measures.
  const grouped = params.has("by") || params.has("agg") ? groupBy(params, filters, update) : null;
  const groupToggle = grouped ? null
    : h("button", { type: "button", title: "Count and measure the matching events per field value, over time", onclick: () => update({ agg: "count" }) }, "Visualize…");
  // The project column only when the results can come from several projects.
  const manyProjects = !params.get("project") && (await listProjects()).length > 1;
  const exportLink = (format) => h("a.button", { href: `/api/export${qs({ ...filters, format, limit: 10000 })}`, download: "" }, `Export ${format.toUpperCase()}`);
  const status = h("p.muted", { "aria-live": "polite" });
  const chartBox = h("div.chart.explore-chart", { role: "img", "aria-label": "Matching events per bucket" });
  const chartNote = h("span.muted");
  const results = h("tbody");
  const facets = h("div.facets");
  const keyFacets = h("div.facets.key-facets");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  // Compact: the controls in two rows, a short chart, then ~30 lines at 1280×800.
  replace(view, h("h1.sr-only", {}, "Explore"),
    h("div.toolbar.explore-bar", {}, ctl.nodes, form),
    h("div.toolbar", {}, levelBar, status, chartNote, h("span.spacer"), groupToggle, copyButton(location.href, "Copy link"), exportLink("ndjson"), exportLink("csv")),
    h("section.panel.chart-panel", {}, chartBox),
    grouped?.node,
    h("div.layout-explore", {},
      h("aside.panel", { "aria-label": "Facets" }, saved, h("h2", {}, "Facets"), facets, keyFacets),
      h("section.panel.table-wrap.results", {}, h("table.log", {}, h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Level"),
        h("th", {}, "Source"), h("th", {}, "Message"), manyProjects ? h("th.hide-narrow", {}, "Project") : null)), results), more)));

  // A value clicked shows only its events; alt-clicked, leaves them out (added to the others left out).
  const pick = (f, v, ev) => update(ev?.altKey
    ? { [`not.${f}`]: [...new Set([...params.getAll(`not.${f}`), v])], ...(params.get(f) === v ? { [f]: null } : {}) }
    : { [f]: v, [`not.${f}`]: params.getAll(`not.${f}`).filter((x) => x !== v) });
  let chart = null;
  let groupsCleanup = null;
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
  // ctx and tags: the keys the matching events carry (the newest 5,000), a value a click narrows to.
  const narrowTo = (term) => update({ q: [params.get("q"), term].filter(Boolean).join(" ") });
  const drawKeyFacets = (f) => {
    const shown = f.keys.filter((k) => k.values.length).slice(0, 8);
    const bare = f.keys.filter((k) => !k.values.length).slice(0, 12);
    if (!f.keys.length) return replace(keyFacets);
    replace(keyFacets, h("h2", {}, "ctx and tags"), shown.map((k) => h("div", {}, h("h3", {}, h("code", {}, k.key)),
      k.values.slice(0, 6).map((v) => h("div", {}, h("button", { type: "button", title: `Only ${k.key}:${queryValue(v.value)}`,
        onclick: () => narrowTo(`${k.key}:${queryValue(v.value)}`) }, v.value), " ", h("span.muted", {}, fmtNumber(v.events)))))),
    bare.length ? h("div", {}, h("h3", {}, "Other keys"), bare.map((k) => h("div", {}, h("button", { type: "button", title: `Only events with ${k.key}`,
      onclick: () => narrowTo(`has:${k.key}`) }, h("code", {}, k.key)), " ", h("span.muted", {}, fmtNumber(k.events))))) : null,
    h("p.muted", {}, `From the newest matches (${fmtNumber(f.scanned)} events looked at).`));
  };
  try {
    const [hist] = await Promise.all([
      api(`/api/logs/histogram${qs({ ...filters, before: undefined })}`),
      loadPage(null),
      grouped?.load().then((cleanup) => { groupsCleanup = cleanup; }),
      api(`/api/logs/fields${qs(filters)}`).then(drawKeyFacets),
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
  return { cleanup: () => { chart?.destroy(); groupsCleanup?.(); } };
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
