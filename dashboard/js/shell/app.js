// The dashboard shell: login gate, hash router (#/page/arg?state), theme and time zone. Pages live
// in ../pages and render into <main>; they get what they navigate with from here (`nav`) and
// never import the shell.
import { whenUnauthorized } from "../components/api.js";
import { errorBox, h, replace, setTimeZone, timeZone } from "../components/dom.js";
import { rangeOf } from "../components/query-bar.js";
import { loadVocabulary } from "../components/vocabulary.js";
import * as alerts from "../pages/alerts.js";
import * as explore from "../pages/explore.js";
import * as issues from "../pages/issues.js";
import * as overview from "../pages/overview.js";
import * as projects from "../pages/projects.js";
import * as tail from "../pages/tail.js";
import { controls, listProjects } from "./controls.js";
import { login, logout, restoreSession } from "./session.js";

const PAGES = {
  "": overview, issues, issue: issues, explore, event: explore, tail, alerts, projects, project: projects,
};
const main = document.getElementById("main");
let current = null; // {page, cleanup}

/** The route: {name, arg, params (URLSearchParams)} from location.hash. */
function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const [name = "", ...rest] = path.split("/");
  return { name, arg: rest.map(decodeURIComponent).join("/") || null, params: new URLSearchParams(query) };
}

/** Goes to a route, replacing the history entry when `replace` (for state-only changes). */
function go(name, params = {}, { arg = null, replaceState = false } = {}) {
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

/** Merges changes into the current route's params and re-renders. */
function update(changes, { replaceState = true } = {}) {
  const r = route();
  const params = Object.fromEntries([...new Set(r.params.keys())].map((k) => [k, r.params.getAll(k).length > 1 ? r.params.getAll(k) : r.params.get(k)]));
  go(r.name, { ...params, ...changes }, { arg: r.arg, replaceState });
  if (replaceState) render();
}

// What pages navigate with.
const NAV = { go, update, controls, rangeOf, listProjects };

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
    current = (await page.render(view, { ...r, nav: NAV })) ?? null;
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

async function start() {
  document.querySelector(".top").hidden = false;
  try {
    await loadVocabulary();
  } catch (err) {
    replace(main, h("h1", {}, "Something went wrong"), errorBox(err));
    return;
  }
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
