// The controls every page shares: the project picker and the time range (presets or typed), kept
// in the URL; and the list of live projects they offer.
import { api } from "../components/api.js";
import { fmtTime, h, parseWhen } from "../components/dom.js";

let projectList = null;

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
