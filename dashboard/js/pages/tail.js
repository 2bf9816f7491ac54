// Live tail: polls /api/tail every 1.5 s with the same filters as Explore; level toggles, pause
// (counting what arrives meanwhile), clear, and a cap on what is drawn so a firehose cannot freeze
// the tab: past RENDER_PER_SECOND it draws a sample, says so, and skips ahead to live.
import { api, qs } from "../components/api.js";
import { errorBox, fmtNumber, fmtTime, h, highlight, levelBadge, replace } from "../components/dom.js";
import { filtersOf, queryChanges, queryText, showQueryProblem } from "../components/query-bar.js";
import { withSuggestions } from "../components/suggest.js";
import { levels } from "../components/vocabulary.js";

const POLL_MS = 1500;
const KEEP = 500; // rows on screen
const RENDER_PER_SECOND = 200;

export async function render(view, { params, nav: { controls, update } }) {
  const ctl = await controls(params, (changes) => update(changes), { ranges: false });
  const filters = filtersOf(params, { range: false });
  const bad = h("span.field-error", { role: "alert" });
  const input = h("input", { type: "search", "aria-label": "Filter", placeholder: "Filter: words, level:error, source:api …",
    value: queryText(params, { withLevel: true }) });
  const form = h("form.toolbar", {
    role: "search",
    onsubmit: async (e) => {
      e.preventDefault();
      const read = await queryChanges(input.value, { withLevel: true }).catch((err) => ({ error: err }));
      showQueryProblem(bad, input, read.error ?? null);
      if (!read.error) update(read.changes);
    },
  }, withSuggestions(input, { project: params.get("project") }), h("button.primary", { type: "submit" }, "Apply"));

  const table = h("table", {});
  const rows = h("tbody");
  table.append(rows);
  // Level toggles hide and show rows at once (the query's level: filter narrows what is fetched).
  const toggles = levels().map((level) => h("button.level-toggle", { type: "button", "aria-pressed": "true", "data-level": level,
    onclick: (e) => {
      const on = e.currentTarget.getAttribute("aria-pressed") !== "true";
      e.currentTarget.setAttribute("aria-pressed", String(on));
      table.classList.toggle(`hide-${level}`, !on);
    } }, level));

  let paused = false;
  let held = []; // arrived while paused, newest last (the last KEEP of them)
  let heldCount = 0;
  const state = h("span.badge", { "aria-live": "polite" }, "Live");
  const showState = () => {
    state.textContent = paused ? `Paused · ${fmtNumber(heldCount)} new while paused` : "Live";
  };
  const pause = h("button", { type: "button", "aria-pressed": "false", onclick: () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume" : "Pause";
    if (!paused) {
      draw(held);
      held = [];
      heldCount = 0;
    }
    showState();
  } }, "Pause");
  const clear = h("button", { type: "button", onclick: () => rows.replaceChildren() }, "Clear");
  const notice = h("div", { "aria-live": "polite" });
  const problem = h("div");
  form.append(bad);
  replace(view, h("h1", {}, "Live tail"), h("div.toolbar", {}, ctl.nodes), form,
    h("div.toolbar", {}, state, h("span.spacer"), h("span.muted", {}, "Levels"), ...toggles, pause, clear), notice, problem,
    h("section.panel.tail-list", {}, table));
  const terms = (params.get("q") ?? "").split(/\s+/).filter((t) => t && !t.startsWith("-")).map((t) => t.replace(/[*"]/g, ""));

  const shown = new Set(); // ids on screen lately: skipping ahead may fetch some again
  function draw(events) {
    if (shown.size > KEEP * 10) shown.clear();
    // Newest on top; only the newest KEEP can show anyway.
    for (const e of events.slice(-KEEP)) if (!shown.has(e.id) && shown.add(e.id)) rows.prepend(h("tr", { "data-id": e.id, "data-level": e.level },
      h("td", {}, h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))), h("td", {}, levelBadge(e.level)),
      h("td.msg", {}, highlight(e.message, terms), h("span.muted", {}, ` · ${e.project}${e.source ? ` · ${e.source}` : ""}`))));
    while (rows.children.length > KEEP) rows.lastElementChild.remove();
  }

  let since = null;
  let stopped = false;
  let timer = null;
  let second = { start: Date.now(), drawn: 0 };
  const poll = async () => {
    if (stopped) return;
    try {
      const body = await api(`/api/tail${qs({ ...filters, since })}`);
      since = body.next_since;
      problem.replaceChildren();
      if (paused) {
        held.push(...body.logs);
        heldCount += body.logs.length;
        if (held.length > KEEP * 2) held = held.slice(-KEEP); // count them all, keep what can show
        showState();
      } else {
        const now = Date.now();
        if (now - second.start >= 1000) second = { start: now, drawn: 0 };
        const room = Math.max(0, RENDER_PER_SECOND - second.drawn);
        const over = body.logs.length > room;
        const sample = over ? body.logs.slice(-room) : body.logs;
        second.drawn += sample.length;
        draw(sample);
        if (over || (!body.caught_up && second.drawn >= RENDER_PER_SECOND)) {
          // A firehose: draw a sample, say so, and jump to now instead of chasing it.
          notice.replaceChildren(h("p.notice", { "data-notice": "rate" },
            `Over ${fmtNumber(RENDER_PER_SECOND)} events a second: showing a sample, and skipping ahead to live. Narrow the filter to see every event.`));
          if (!body.caught_up) since = null;
        } else if (!body.caught_up) {
          return void (timer = setTimeout(poll, 0)); // behind a burst: fetch the rest at once
        } else if (second.drawn < RENDER_PER_SECOND / 2) {
          notice.replaceChildren();
        }
      }
    } catch (err) {
      problem.replaceChildren(errorBox(err));
    }
    timer = setTimeout(poll, POLL_MS);
  };
  poll();
  return { cleanup: () => { stopped = true; clearTimeout(timer); } };
}
