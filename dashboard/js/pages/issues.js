// Issues: the list with status tabs and sparklines on one scale, and one issue — led by its message
// and in-app frames, then its 72 h chart, releases and environments, fields, latest event and
// events; resolve / ignore / reopen, also as r / i / o.
import { may } from "../components/roles.js";
import { api, qs } from "../components/api.js";
import {
  barList, errorBox, fmtAgo, fmtNumber, fmtTime, h, levelBadge, replace, sparkline, statusBadge, toast,
} from "../components/dom.js";
import { volumeChart } from "../components/chart.js";
import { eventBlock } from "../components/event-block.js";
import { rangeOf } from "../components/query-bar.js";

const TABS = { open: "new,ongoing,regressed", trending: "new,ongoing,regressed", resolved: "resolved", ignored: "ignored", all: null };
const SORTS = { last_seen: "Last seen", count: "Events", first_seen: "First seen" };

export async function render(view, r) {
  return r.name === "issue" ? renderIssue(view, r) : renderList(view, r);
}

async function renderList(view, { params, nav: { controls, go, update } }) {
  const tab = params.get("status") ?? "open";
  // Trending: open issues by growth over their own previous week (the core ranks them).
  const sort = tab === "trending" ? "trending" : params.get("sort") ?? "last_seen";
  const ctl = await controls(params, (changes) => update(changes));
  const tabs = h("div.tabs", { role: "tablist" }, Object.keys(TABS).map((t) =>
    h("button", { type: "button", role: "tab", "aria-selected": String(t === tab), "aria-pressed": String(t === tab), onclick: () => update({ status: t }) }, t)));
  const sorter = h("select", { "aria-label": "Sort", onchange: (e) => update({ sort: e.target.value }) },
    Object.entries(SORTS).map(([k, v]) => h("option", { value: k, selected: k === sort }, v)));
  const list = h("div", {}, h("p.muted", {}, "Loading…"));
  replace(view, h("h1", {}, "Issues"), h("div.toolbar", {}, ctl.nodes), h("div.toolbar", {}, tabs, h("span.spacer"),
    tab === "trending" ? h("span.muted", {}, "The last 24 h against each issue's previous week") : h("label", {}, "Sort", sorter)), list);
  const { from, to } = rangeOf(params);
  try {
    const body = await api(`/api/issues${qs({ project: params.get("project"), status: TABS[tab], sort, from, to, limit: 100 })}`);
    if (!body.issues.length) return void replace(list, h("p.panel.muted", {}, tab === "trending"
      ? "Nothing is growing beyond its usual volume." : "No issues here for this range."));
    // One scale for every sparkline of the list, its maximum in the header: shapes compare.
    const max = Math.max(1, ...body.issues.flatMap((i) => i.sparkline ?? []));
    replace(list, h("div.panel.table-wrap", {}, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Level"), h("th", {}, "Issue"), h("th.num", {}, "Events"),
        h("th.hide-narrow", {}, "Last 24 h ", h("span.muted", {}, `(max ${fmtNumber(max)}/h)`)), h("th.hide-narrow", {}, "First seen"), h("th", {}, "Last seen"), h("th", {}, "Status"))),
      h("tbody", {}, body.issues.map((i) => h("tr.row-link", { "data-fingerprint": i.fingerprint, onclick: (e) => e.target.tagName !== "A" && go("issue", { project: i.project }, { arg: i.fingerprint }) },
        h("td", {}, levelBadge(i.level)),
        h("td.msg", {}, h("a", { href: `#/issue/${i.fingerprint}?project=${encodeURIComponent(i.project)}` }, i.title),
          h("div.muted", {}, i.project, i.hint ? ` · hint: ${i.hint}` : ""),
          i.trend ? h("div.trend", { "data-trend": "" }, i.trend.is_new ? `new: ${fmtNumber(i.trend.recent)} in 24 h`
            : `×${i.trend.growth.toFixed(1)}: ${fmtNumber(i.trend.recent)} in 24 h, usually ${fmtNumber(Math.round(i.trend.expected_per_day))} a day`) : null),
        h("td.num", {}, fmtNumber(i.count)),
        h("td.hide-narrow", {}, sparkline(i.sparkline, { max })),
        h("td.hide-narrow", {}, h("span", { title: fmtTime(i.first_seen) }, fmtAgo(i.first_seen))),
        h("td", {}, h("span", { title: fmtTime(i.last_seen) }, fmtAgo(i.last_seen))),
        h("td", {}, statusBadge(i.status))))))));
  } catch (err) {
    replace(list, errorBox(err));
  }
}

async function renderIssue(view, { arg: fingerprint, params, nav: { go, update } }) {
  const project = params.get("project");
  const load = async () => {
    const [one, events, baseline] = await Promise.all([
      api(`/api/issues/${fingerprint}${qs({ project })}`),
      api(`/api/logs${qs({ project, fingerprint, limit: 25 })}`),
      // The usual band is a help, never a reason for the page to fail.
      api(`/api/issues/${fingerprint}/baseline${qs({ project, from: "72h" })}`).catch(() => null),
    ]);
    draw(one, events, baseline?.hours ?? null);
  };
  const setStatus = async (status, nextRelease = false) => {
    try {
      await api(`/api/issues/${fingerprint}${qs({ project })}`, { method: "PATCH",
        body: nextRelease ? { status, in_next_release: true } : { status } });
      toast(nextRelease ? "Issue resolved in the next release" : `Issue ${status}`);
      await load();
    } catch (err) {
      toast(err.message);
    }
  };
  let creating = false;
  const makeTicket = async () => {
    if (creating) return;
    creating = true;
    try {
      const { ticket, created } = await api(`/api/admin/projects/${encodeURIComponent(project)}/issues/${fingerprint}/ticket`, { method: "POST" });
      toast(created ? `Ticket ${ticket.key} created` : `Ticket ${ticket.key} already exists`);
      await load();
    } catch (err) {
      toast(err.message);
    } finally {
      creating = false;
    }
  };
  // The issue's ticket: a link once made; a button while a tracker is configured and none is.
  const ticketPart = (one) => {
    const t = one.ticket;
    if (t?.status === "created")
      return h("a.button", { href: t.url, target: "_blank", rel: "noopener", "data-ticket": "", title: t.auto ? "Created for a page-class issue" : "" },
        `${t.tracker === "jira" ? "Jira" : "GitHub"} ${t.key}`);
    if (!one.ticket_tracker) return null;
    const name = one.ticket_tracker === "jira" ? "Jira" : "GitHub";
    return h("button", { type: "button", "data-create-ticket": "", "data-needs": "responder", onclick: makeTicket,
      title: t?.status === "failed" ? `The last attempt failed: ${t.error}` : `Create a ${name} issue with this issue's template, counts, stack and a link back` },
      t?.status === "failed" ? `Retry ${name} issue` : `Create ${name} issue`);
  };
  const draw = (one, events, baseline) => {
    const i = one.issue;
    const open = !["resolved", "ignored"].includes(i.status);
    const latest = one.latest_event;
    const frames = latest?.frames ?? [];
    const inApp = frames.filter((f) => f.in_app);
    const library = frames.filter((f) => !f.in_app);
    const frameLine = (f) => h("li", { class: f.in_app ? "in-app" : "" },
      `${f.function || "?"}  ${f.module || f.file || ""}${f.line ? `:${f.line}` : ""}`);
    const share = (field) => (one.distributions[field] ?? []).slice(0, 5)
      .map((v) => `${v.value} (${Math.round((v.events / Math.max(1, one.distribution_sample)) * 100)} %)`).join(", ");
    const chartBox = h("div.chart.issue-chart", { role: "img", "aria-label": "Events per hour, last 72 hours" });
    const counts = one.histogram.counts ?? [];
    replace(view,
      h("p", {}, h("a", { href: `#/issues${qs({ project })}` }, "← Issues")),
      h("h1", {}, levelBadge(i.level), " ", i.title),
      // What happened first: the message and the application's own frames (the library's folded).
      h("section.panel.lead", {},
        latest ? h("p.msg", {}, latest.message) : h("p.muted", {}, "Its events have aged out."),
        inApp.length ? h("ol.frames", {}, inApp.map(frameLine)) : null,
        library.length ? h("details", {}, h("summary", {}, `${library.length} library frame${library.length === 1 ? "" : "s"}`),
          h("ol.frames", {}, library.map(frameLine))) : null),
      h("div.toolbar", {}, statusBadge(i.status),
        i.resolved_in_release ? h("span.badge", { "data-next-release": "" }, `until a release after ${i.resolved_in_release}`) : null,
        h("span.muted", {}, `${fmtNumber(i.count)} ${i.count === 1 ? "event" : "events"} · first seen ${fmtAgo(i.first_seen)} · last seen ${fmtAgo(i.last_seen)}${i.hint ? ` · hint: ${i.hint}` : ""}`),
        h("span.spacer"),
        open ? h("button.primary", { type: "button", "data-needs": "responder", title: "Resolve (r)", onclick: () => setStatus("resolved") }, "Resolve") : null,
        open ? h("button", { type: "button", "data-needs": "responder", title: "Resolve in the next release (n): events of the current release do not reopen it",
          onclick: () => setStatus("resolved", true) }, "Resolve in next release") : null,
        open ? h("button", { type: "button", "data-needs": "responder", title: "Ignore (i)", onclick: () => setStatus("ignored") }, "Ignore")
          : h("button", { type: "button", "data-needs": "responder", title: "Reopen (o)", onclick: () => setStatus("ongoing") }, "Reopen"),
        ticketPart(one),
        h("a.button", { href: `#/explore${qs({ project, fingerprint, range: "72h" })}` }, "All events")),
      one.suspect_release ? h("p.notice", { "data-suspect": "" }, h("strong", {}, `Suspect release ${one.suspect_release.release}: `),
        one.suspect_release.text) : null,
      one.suggestion ? h("p.notice", { "data-suggestion": "" }, h("strong", {}, "Next step: "), one.suggestion.text) : null,
      h("section.panel", {}, h("h2", {}, "Last 72 hours ", h("span.muted", {}, `(max ${fmtNumber(Math.max(0, ...counts))}/h`,
        baseline?.some((b) => b.basis !== "none") ? "; the dashed band is the usual range for each hour of the week)" : ")")), chartBox,
        h("p.muted", {}, [share("release") && `Releases: ${share("release")}`, share("env") && `Environments: ${share("env")}`]
          .filter(Boolean).join(" · ") || "No release or environment on these events.")),
      h("p.muted", {}, "Template: ", h("code", {}, i.template)),
      h("section.panel", {}, h("h2", {}, "Fields and tags"),
        Object.keys(one.distributions).length ? Object.entries(one.distributions).map(([field, values]) =>
          [h("h3", {}, field.replace(/^tag:/, "tag ")), barList(values)]) : h("p.muted", {}, "No fields or tags on these events."),
        h("p.muted", {}, `Over the newest ${fmtNumber(one.distribution_sample)} events of this issue.`)),
      h("section.panel", {}, h("h2", {}, "Latest event"), latest ? eventBlock(latest) : h("p.muted", {}, "Its events have aged out.")),
      h("section.panel", {}, h("h2", {}, "Events"), h("div.table-wrap", {}, h("table", {}, h("tbody", {}, events.logs.map((e) => h("tr", {},
        h("td", {}, h("a", { href: `#/event/${e.id}` }, fmtTime(e.ts))), h("td", {}, levelBadge(e.level)), h("td.msg", {}, e.message),
        h("td.hide-narrow.muted", {}, [e.env, e.source, e.release].filter(Boolean).join(" · ")))))))));
    chart?.destroy();
    const from = Date.parse(one.histogram.from);
    chart = volumeChart(chartBox, counts.map((n, k) => ({ t: new Date(from + k * one.histogram.bucket_ms).toISOString(), [i.level]: n })),
      { bucketMs: one.histogram.bucket_ms, height: 160, baseline });
  };
  let chart = null;
  // r resolves, n resolves in the next release, i ignores, o reopens (not while typing).
  const onKey = (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "")) return;
    if (!may("responder", project)) return;
    if (e.key === "n") return void setStatus("resolved", true);
    const status = { r: "resolved", i: "ignored", o: "ongoing" }[e.key];
    if (status) setStatus(status);
  };
  document.addEventListener("keydown", onKey);
  try {
    await load();
  } catch (err) {
    replace(view, h("h1", {}, "Issue"), errorBox(err));
  }
  return { cleanup: () => { document.removeEventListener("keydown", onKey); chart?.destroy(); } };
}
