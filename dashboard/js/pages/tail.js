// Live tail: polls /api/tail every 1.5 s with the same filters as Explore; pause, resume, clear.
import { controls, update } from "../app.js";
import { api, qs } from "../api.js";
import { errorBox, fmtTime, h, highlight, levelBadge, replace } from "../dom.js";
import { filtersOf, queryChanges, queryText } from "./explore.js";

const POLL_MS = 1500;
const KEEP = 500;

export async function render(view, { params }) {
  const ctl = await controls(params, (changes) => update(changes), { ranges: false });
  const filters = filtersOf(params, { range: false });
  const input = h("input", { type: "search", "aria-label": "Filter", placeholder: "Filter: words, level:error, source:api …",
    value: queryText(params, { withLevel: true }) });
  const form = h("form.toolbar", {
    role: "search",
    onsubmit: (e) => {
      e.preventDefault();
      update(queryChanges(input.value, { withLevel: true }));
    },
  }, input, h("button.primary", { type: "submit" }, "Apply"));
  let paused = false;
  const pause = h("button", { type: "button", "aria-pressed": "false", onclick: () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume" : "Pause";
    state.textContent = paused ? "Paused" : "Live";
  } }, "Pause");
  const rows = h("tbody");
  const clear = h("button", { type: "button", onclick: () => rows.replaceChildren() }, "Clear");
  const state = h("span.badge", { "aria-live": "polite" }, "Live");
  const problem = h("div");
  replace(view, h("h1", {}, "Live tail"), h("div.toolbar", {}, ctl.nodes), form,
    h("div.toolbar", {}, state, h("span.spacer"), pause, clear), problem,
    h("section.panel.tail-list", {}, h("table", {}, rows)));
  const terms = (params.get("q") ?? "").split(/\s+/).filter((t) => t && !t.startsWith("-")).map((t) => t.replace(/[*"]/g, ""));
  let since = null;
  let stopped = false;
  let timer = null;
  const poll = async () => {
    if (stopped) return;
    if (!paused || since === null) {
      try {
        const body = await api(`/api/tail${qs({ ...filters, since })}`);
        since = body.next_since;
        // Newest on top.
        for (const e of body.logs) rows.prepend(h("tr", { "data-id": e.id },
          h("td", {}, h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))), h("td", {}, levelBadge(e.level)),
          h("td.msg", {}, highlight(e.message, terms), h("span.muted", {}, ` · ${e.project}${e.source ? ` · ${e.source}` : ""}`))));
        while (rows.children.length > KEEP) rows.lastElementChild.remove();
        problem.replaceChildren();
        // Behind (a burst): fetch again at once.
        if (!body.caught_up && !stopped) return void (timer = setTimeout(poll, 0));
      } catch (err) {
        problem.replaceChildren(errorBox(err));
      }
    }
    timer = setTimeout(poll, POLL_MS);
  };
  poll();
  return { cleanup: () => { stopped = true; clearTimeout(timer); } };
}
