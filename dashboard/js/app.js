// The dashboard shell: login gate, hash router (#/page/arg?state), shared project and time range
// controls, theme, and auto-refresh. Pages live in ./pages and render into <main>.
import { api, login, logout, restoreSession, whenUnauthorized } from "./api.js";
import { errorBox, fmtTime, h, parseWhen, replace, setTimeZone, timeZone } from "./dom.js";
import * as alerts from "./pages/alerts.js";
import * as explore from "./pages/explore.js";
import * as issues from "./pages/issues.js";
import * as overview from "./pages/overview.js";
import * as projects from "./pages/projects.js";
import * as tail from "./pages/tail.js";

const PAGES = {
  "": overview, issues, issue: issues, explore, event: explore, tail, alerts, projects, project: projects,
};
const main = document.getElementById("main");
let current = null; // {page, cleanup}
let projectList = null;

/** The route: {name, arg, params (URLSearchParams)} from location.hash. */
export function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const [name = "", ...rest] = path.split("/");
  return { name, arg: rest.map(decodeURIComponent).join("/") || null, params: new URLSearchParams(query) };
}

/** Goes to a route, replacing the history entry when `replace` (for state-only changes). */
export function go(name, params = {}, { arg = null, replaceState = false } = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const item of Array.isArray(v) ? v : [v]) query.append(k, item);
  }
  const q = query.toString();
  const hash = `#/${name}${arg ? `/${encodeURIComponent(arg)}` : ""}${q ? `?${q}` : ""}`;
  if (replaceState) history.replaceState(null, "", hash);
  else location.hash = hash;
}

/** Live projects (cached until changed). */
export async function listProjects(force = false) {
  if (!projectList || force) projectList = (await api("/api/admin/projects")).projects;
  return projectList;
}

export const RANGES = ["15m", "1h", "6h", "24h", "72h"];

/** The shared controls: project picker and time range (presets or custom), kept in the URL. */
export async function controls(params, onchange, { allowAll = true, ranges = true } = {}) {
  const list = await listProjects();
  const project = h("select", { "aria-label": "Project", onchange: () => onchange({ project: project.value || null }) },
    allowAll ? h("option", { value: "" }, "All projects") : null,
    list.map((p) => h("option", { value: p.slug, selected: params.get("project") === p.slug }, p.name === p.slug ? p.slug : `${p.name} (${p.slug})`)));
  if (!allowAll && !params.get("project") && list.length) project.value = list[0].slug;
  const parts = [project];
  if (ranges) {
    const range = params.get("range") ?? (params.get("from") ? "custom" : "24h");
    for (const r of RANGES)
      parts.push(h("button", { type: "button", "aria-pressed": String(range === r), onclick: () => onchange({ range: r, from: null, to: null }) }, r));
    // Typed times instead of date pickers: "15m", "yesterday 14:00", "2026-11-30 09:00" (in the
    // header's zone); an empty "to" is now.
    const shownTime = (iso) => (iso ? fmtTime(iso).slice(0, 16) : "");
    const from = h("input.when", { type: "text", "aria-label": "From", placeholder: "from: 15m, yesterday 14:00",
      value: range === "custom" ? shownTime(params.get("from")) : "" });
    const to = h("input.when", { type: "text", "aria-label": "To", placeholder: "to: now",
      value: range === "custom" ? shownTime(params.get("to")) : "" });
    const problem = h("span.field-error", { role: "alert" });
    const applyRange = () => {
      const f = from.value.trim();
      if (/^\d+\s*[mhd]$/i.test(f) && !to.value.trim()) return onchange({ range: f.replace(/\s+/g, "").toLowerCase(), from: null, to: null });
      const fromMs = parseWhen(f);
      const toMs = to.value.trim() ? parseWhen(to.value) : null;
      if (fromMs === null) return void (problem.textContent = "From: try 15m, 2h, yesterday 14:00 or 2026-11-30 09:00");
      if (to.value.trim() && toMs === null) return void (problem.textContent = "To: try now, 14:00 or 2026-11-30 18:00");
      if (toMs !== null && toMs <= fromMs) return void (problem.textContent = "To must be after From");
      onchange({ range: "custom", from: new Date(fromMs).toISOString(), to: toMs === null ? null : new Date(toMs).toISOString() });
    };
    for (const input of [from, to]) input.addEventListener("keydown", (e) => { if (e.key === "Enter") applyRange(); });
    const apply = h("button", { type: "button", "aria-pressed": String(range === "custom"), onclick: applyRange }, "Apply");
    parts.push(h("span.range-inputs", {}, from, " – ", to, " ", apply, problem));
  }
  return { nodes: parts, project: () => project.value || null };
}

/** {from, to} query values for the range in the URL. */
export function rangeOf(params) {
  if (params.get("range") === "custom" || (!params.get("range") && params.get("from")))
    return { from: params.get("from"), to: params.get("to") };
  return { from: params.get("range") ?? "24h", to: null };
}

/** Merges changes into the current route's params and re-renders. */
export function update(changes, { replaceState = true } = {}) {
  const r = route();
  const params = Object.fromEntries([...new Set(r.params.keys())].map((k) => [k, r.params.getAll(k).length > 1 ? r.params.getAll(k) : r.params.get(k)]));
  go(r.name, { ...params, ...changes }, { arg: r.arg, replaceState });
  if (replaceState) render();
}

async function render() {
  current?.cleanup?.();
  current = null;
  const r = route();
  const page = PAGES[r.name];
  for (const a of document.querySelectorAll("[data-nav]")) {
    const active = a.dataset.nav === (r.name === "" ? "overview" : r.name === "issue" ? "issues" : r.name === "event" ? "explore" : r.name === "project" ? "projects" : r.name);
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!page) {
    replace(main, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the overview")));
    return;
  }
  const view = h("div");
  replace(main, view);
  try {
    current = (await page.render(view, r)) ?? null;
  } catch (err) {
    replace(view, h("h1", {}, "Something went wrong"), errorBox(err));
  }
}

function showLogin(message) {
  document.querySelector(".top").hidden = true;
  const input = h("input", { type: "password", id: "token", name: "token", autocomplete: "current-password", required: true });
  const status = h("p", { role: "alert" }, message ?? "");
  const form = h("form.stack.panel", {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await login(input.value);
        start();
      } catch (err) {
        replace(status, errorBox(err));
      }
    },
  }, h("h1", {}, "edgelog"), h("label", { for: "token" }, "Admin token", input), h("button.primary", { type: "submit" }, "Log in"), status);
  replace(main, h("div.login", {}, form));
  input.focus();
}

function start() {
  document.querySelector(".top").hidden = false;
  window.onhashchange = render;
  render();
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem("edgelog-theme", theme);
}

// One time zone for every time and chart: the browser's, or UTC; shown in the header.
const tzButton = document.getElementById("tz");
const showZone = () => { tzButton.textContent = timeZone() === "utc" ? "UTC" : "Local"; };
tzButton.addEventListener("click", () => {
  setTimeZone(timeZone() === "utc" ? "local" : "utc");
  showZone();
  if (window.onhashchange) render();
});
showZone();

document.getElementById("theme").addEventListener("click", () => {
  applyTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark");
  if (window.onhashchange) render(); // charts take their colours when drawn
});
document.getElementById("logout").addEventListener("click", async () => {
  await logout();
  window.onhashchange = null;
  showLogin("Logged out.");
});
applyTheme(localStorage.getItem("edgelog-theme") ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "")) {
    const search = document.querySelector("input[type=search]");
    if (search) {
      e.preventDefault();
      search.focus();
    }
  }
});
whenUnauthorized(() => showLogin("Your session ended; log in again."));
if (await restoreSession()) start();
else showLogin();
