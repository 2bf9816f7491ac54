// Who is signed in and the roles they hold ({"*": role} for every project, {slug: role} for one),
// from /api/auth/session. The dashboard shows only what the role may do; the API refuses the rest
// either way. Controls a role needs carry data-needs="responder" or "admin"; the shell sets the
// page's rank on <body>, and app.css hides what the rank does not reach.
const RANK = { viewer: 1, responder: 2, admin: 3 };
let who = null;

export function setWho(session) {
  who = session;
}
export const whoAmI = () => who;

/** The rank held on a project (the one of every project when slug is null): 0 none … 3 admin. */
export function rankOn(slug) {
  const roles = who?.roles ?? {};
  return Math.max(RANK[roles["*"]] ?? 0, slug ? RANK[roles[slug]] ?? 0 : 0);
}

/** True when the role is held on the project (or on every project, slug null). */
export const may = (role, slug = null) => rankOn(slug) >= RANK[role];

/** The highest role held anywhere, for the header. */
export function topRole() {
  const ranks = Object.values(who?.roles ?? {}).map((r) => RANK[r]);
  return Object.keys(RANK)[Math.max(0, ...ranks) - 1] ?? null;
}
