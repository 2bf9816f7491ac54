// Issues: the list with status tabs and sparklines, and one issue — its latest event and stack,
// histogram, field and tag distributions, its events, and resolve / ignore / reopen.
import { controls, go, rangeOf, update } from "../app.js";
import { api, qs } from "../api.js";
import {
  barList, errorBox, fmtAgo, fmtNumber, fmtTime, h, levelBadge, replace, sparkline, statusBadge, toast,
} from "../dom.js";
import { eventBlock } from "./explore.js";

const TABS = { open: "new,ongoing,regressed", resolved: "resolved", ignored: "ignored", all: null };
const SORTS = { last_seen: "Last seen", count: "Events", first_seen: "First seen" };

export async function render(view, r) {
  return r.name === "issue" ? renderIssue(view, r) : renderList(view, r);
}

async function renderList(view, { params }) {
  const tab = params.get("status") ?? "open";
  const sort = params.get("sort") ?? "last_seen";
  const ctl = await controls(params, (changes) => update(changes));
  const tabs = h("div.tabs", { role: "tablist" }, Object.keys(TABS).map((t) =>
    h("button", { type: "button", role: "tab", "aria-selected": String(t === tab), "aria-pressed": String(t === tab), onclick: () => update({ status: t }) }, t)));
  const sorter = h("select", { "aria-label": "Sort", onchange: (e) => update({ sort: e.target.value }) },
    Object.entries(SORTS).map(([k, v]) => h("option", { value: k, selected: k === sort }, v)));
  const list = h("div", {}, h("p.muted", {}, "Loading…"));
  replace(view, h("h1", {}, "Issues"), h("div.toolbar", {}, ctl.nodes), h("div.toolbar", {}, tabs, h("span.spacer"), h("label", {}, "Sort", sorter)), list);
  const { from, to } = rangeOf(params);
  try {
    const body = await api(`/api/issues${qs({ project: params.get("project"), status: TABS[tab], sort, from, to, limit: 100 })}`);
    if (!body.issues.length) return void replace(list, h("p.panel.muted", {}, "No issues here for this range."));
    replace(list, h("div.panel.table-wrap", {}, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Level"), h("th", {}, "Issue"), h("th.num", {}, "Events"),
        h("th.hide-narrow", {}, "Last 24 h"), h("th.hide-narrow", {}, "First seen"), h("th", {}, "Last seen"), h("th", {}, "Status"))),
      h("tbody", {}, body.issues.map((i) => h("tr.row-link", { "data-fingerprint": i.fingerprint, onclick: (e) => e.target.tagName !== "A" && go("issue", { project: i.project }, { arg: i.fingerprint }) },
        h("td", {}, levelBadge(i.level)),
        h("td.msg", {}, h("a", { href: `#/issue/${i.fingerprint}?project=${encodeURIComponent(i.project)}` }, i.title),
          h("div.muted", {}, i.project, i.hint ? ` · hint: ${i.hint}` : "")),
        h("td.num", {}, fmtNumber(i.count)),
        h("td.hide-narrow", {}, sparkline(i.sparkline)),
        h("td.hide-narrow", {}, h("span", { title: fmtTime(i.first_seen) }, fmtAgo(i.first_seen))),
        h("td", {}, h("span", { title: fmtTime(i.last_seen) }, fmtAgo(i.last_seen))),
        h("td", {}, statusBadge(i.status))))))));
  } catch (err) {
    replace(list, errorBox(err));
  }
}

async function renderIssue(view, { arg: fingerprint, params }) {
  const project = params.get("project");
  const load = async () => {
    const [one, events] = await Promise.all([
      api(`/api/issues/${fingerprint}${qs({ project })}`),
      api(`/api/logs${qs({ project, fingerprint, limit: 25 })}`),
    ]);
    draw(one, events);
  };
  const setStatus = async (status) => {
    try {
      await api(`/api/issues/${fingerprint}${qs({ project })}`, { method: "PATCH", body: { status } });
      toast(`Issue ${status}`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };
  const draw = (one, events) => {
    const i = one.issue;
    const open = !["resolved", "ignored"].includes(i.status);
    replace(view,
      h("p", {}, h("a", { href: `#/issues${qs({ project })}` }, "← Issues")),
      h("h1", {}, levelBadge(i.level), " ", i.title),
      h("div.toolbar", {}, statusBadge(i.status), h("span.muted", {}, `${fmtNumber(i.count)} ${i.count === 1 ? "event" : "events"} · first seen ${fmtAgo(i.first_seen)} · last seen ${fmtAgo(i.last_seen)}${i.hint ? ` · hint: ${i.hint}` : ""}`),
        h("span.spacer"),
        open ? h("button.primary", { type: "button", onclick: () => setStatus("resolved") }, "Resolve") : null,
        open ? h("button", { type: "button", onclick: () => setStatus("ignored") }, "Ignore") : h("button", { type: "button", onclick: () => setStatus("ongoing") }, "Reopen"),
        h("a.button", { href: `#/explore${qs({ project, fingerprint, range: "72h" })}` }, "All events")),
      h("p.muted", {}, "Template: ", h("code", {}, i.template)),
      h("div.grid", {},
        h("section.panel", {}, h("h2", {}, "Last 72 hours"), sparkline(one.histogram.counts, { width: 520, height: 60, label: "events per hour" }),
          h("p.muted", {}, `Hourly, from ${fmtTime(one.histogram.from)}.`)),
        h("section.panel", {}, h("h2", {}, "Fields and tags"),
          Object.keys(one.distributions).length ? Object.entries(one.distributions).map(([field, values]) =>
            [h("h3", {}, field.replace(/^tag:/, "tag ")), barList(values)]) : h("p.muted", {}, "No fields or tags on these events."),
          h("p.muted", {}, `Over the newest ${fmtNumber(one.distribution_sample)} events of this issue.`))),
      h("section.panel", {}, h("h2", {}, "Latest event"), one.latest_event ? eventBlock(one.latest_event) : h("p.muted", {}, "Its events have aged out.")),
      h("section.panel", {}, h("h2", {}, "Events"), h("div.table-wrap", {}, h("table", {}, h("tbody", {}, events.logs.map((e) => h("tr", {},
        h("td", {}, h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))), h("td", {}, levelBadge(e.level)), h("td.msg", {}, e.message),
        h("td.hide-narrow.muted", {}, [e.env, e.source, e.release].filter(Boolean).join(" · ")))))))));
  };
  try {
    await load();
  } catch (err) {
    replace(view, h("h1", {}, "Issue"), errorBox(err));
  }
}
