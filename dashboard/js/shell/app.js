// The dashboard shell: sign-in gate (SSO, Access or the break-glass token), hash router (#/page/arg?state), theme and time zone. Pages live
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
import * as team from "../pages/team.js";
import { rankOn, topRole, whoAmI } from "../components/roles.js";
import { controls, listProjects } from "./controls.js";
import { login, logout, restoreSession } from "./session.js";

const PAGES = {
  "": overview, issues, issue: issues, explore, event: explore, tail, alerts, projects, project: projects, team,
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
  // What the role on this page's project (or on every project) may do: app.css hides the rest.
  document.body.dataset.rank = String(rankOn(r.name === "project" ? r.arg : r.params.get("project")));
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

let providers = { break_glass: true };

const SIGN_IN_ERRORS = {
  unknown_state: "That sign-in expired or was used already; sign in again.",
  user_disabled: "Your user is disabled here; ask an admin.",
  provider_refused: "The sign-in provider refused the sign-in.",
};

function showLogin(message) {
  document.querySelector(".top").hidden = true;
  const status = h("p", { role: "alert" }, message ?? "");
  const parts = [h("h1", {}, "edgelog")];
  if (providers.access)
    parts.push(h("p", {}, "This deployment is behind Cloudflare Access. ", h("a", { href: "/" }, "Sign in through Access"), "."));
  if (providers.oidc)
    parts.push(h("a.button.primary", { href: `/api/auth/oidc/start?return_to=${encodeURIComponent(`/${location.hash}`)}`, id: "sso" }, "Sign in with SSO"));
  let input = null;
  if (providers.break_glass) {
    input = h("input", { type: "password", id: "token", name: "token", autocomplete: "current-password", required: true });
    const form = h("form.stack", {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const s = await login(input.value);
          if (s.signedIn) start();
        } catch (err) {
          replace(status, errorBox(err));
        }
      },
    }, h("label", { for: "token" }, providers.oidc || providers.access ? "Break-glass admin token" : "Admin token", input),
    h("button", { type: "submit", class: providers.oidc ? "" : "primary" }, "Log in"));
    parts.push(providers.oidc ? h("details", {}, h("summary", {}, "Use the admin token"), form) : form);
  }
  if (!providers.access && !providers.oidc && !providers.break_glass)
    parts.push(h("p", {}, "No way to sign in is configured: set OIDC_ISSUER, Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD) or ADMIN_TOKEN."));
  replace(main, h("div.login", {}, h("div.stack.panel", {}, ...parts, status)));
  input?.focus();
}

async function start() {
  document.querySelector(".top").hidden = false;
  const me = whoAmI();
  document.getElementById("me").textContent = me ? `${me.user?.email ?? "break-glass"}${topRole() ? ` · ${topRole()}` : " · no role yet"}` : "";
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
const restored = await restoreSession();
providers = restored.providers ?? providers;
const failure = new URLSearchParams(location.search).get("sign_in_error");
if (failure) history.replaceState(null, "", `/${location.hash}`);
if (restored.signedIn) start();
else showLogin(failure ? SIGN_IN_ERRORS[failure] ?? `The sign-in failed (${failure}).` : restored.error?.code === "access_denied" ? restored.error.message : undefined);
