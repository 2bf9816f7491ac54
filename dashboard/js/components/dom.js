// DOM helpers: elements from data (text only — nothing is ever parsed as HTML), formatting,
// sparklines, highlighting, toasts and copying.
const SVG = "http://www.w3.org/2000/svg";

/** h("tag.class", {attrs, onclick…}, ...children): children are nodes, strings or arrays. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className += ` ${v}`;
    else if (k === "value") el.value = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const fmtNumber = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
export const fmtPercent = (x) => `${(x * 100).toFixed(x && x < 0.01 ? 2 : 1)}%`;

/** The time zone every time is shown in: "local" (the browser's) or "utc"; the header switches it. */
export const timeZone = () => (localStorage.getItem("edgelog-tz") === "utc" ? "utc" : "local");
export const setTimeZone = (zone) => localStorage.setItem("edgelog-tz", zone === "utc" ? "utc" : "local");

/** The parts of a time in the chosen zone. */
export function timeParts(value) {
  const d = new Date(value);
  const utc = timeZone() === "utc";
  return {
    year: utc ? d.getUTCFullYear() : d.getFullYear(), month: (utc ? d.getUTCMonth() : d.getMonth()) + 1,
    day: utc ? d.getUTCDate() : d.getDate(), hour: utc ? d.getUTCHours() : d.getHours(),
    minute: utc ? d.getUTCMinutes() : d.getMinutes(), second: utc ? d.getUTCSeconds() : d.getSeconds(),
    ms: utc ? d.getUTCMilliseconds() : d.getMilliseconds(),
  };
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** One format everywhere: 24 h with seconds, in the chosen zone; milliseconds only when asked (the
 *  event view). */
export function fmtTime(iso, { ms = false } = {}) {
  if (!iso) return "–";
  const t = timeParts(iso);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${ms ? `.${pad(t.ms, 3)}` : ""}`;
}

/** A time typed by a person, in the chosen zone: "now", "15m" / "2h" / "3d" ago, "14:00" (today),
 *  "today 09:30", "yesterday 14:00", "2026-11-30" or "2026-11-30 14:00[:05]", or an ISO 8601 time.
 *  Answers epoch ms, or null when it is none of these. */
export function parseWhen(text, now = Date.now()) {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (t === "now") return now;
  const rel = /^(\d+)\s*([mhd])$/.exec(t);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2]];
  const at = (y, mo, d, hh = 0, mm = 0, ss = 0) => {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) return null;
    return timeZone() === "utc" ? Date.UTC(y, mo - 1, d, hh, mm, ss) : new Date(y, mo - 1, d, hh, mm, ss).getTime();
  };
  const day = /^(today|yesterday)(?:\s+(\d{1,2}):(\d{2}))?$/.exec(t) ?? (/^(\d{1,2}):(\d{2})$/.test(t) ? ["", "today", ...t.split(":")] : null);
  if (day) {
    const base = timeParts(now - (day[1] === "yesterday" ? 86_400_000 : 0));
    return at(base.year, base.month, base.day, Number(day[2] ?? 0), Number(day[3] ?? 0));
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (date) return at(...date.slice(1).map((x) => (x === undefined ? 0 : Number(x))));
  const iso = /^\d{4}-\d{2}-\d{2}t.*(z|[+-]\d{2}:?\d{2})$/.test(t) ? Date.parse(text.trim()) : NaN;
  return Number.isFinite(iso) ? iso : null;
}

/** A chart axis label: the clock, with the date where the day changes (or on the first tick). */
export function fmtTick(seconds, withDate) {
  const t = timeParts(seconds * 1000);
  const clock = `${pad(t.hour)}:${pad(t.minute)}`;
  return withDate ? `${clock}\n${pad(t.month)}-${pad(t.day)}` : clock;
}

export function fmtAgo(iso) {
  if (!iso) return "–";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export const levelBadge = (level) => h("span.level", { class: level }, level);
export const statusBadge = (status) => h("span.badge", { class: `status-${status}` }, status);

/** A small line chart of counts, as SVG. */
/** A line of `values`; `max` scales several sparklines alike (a list), else its own maximum. */
export function sparkline(values, { width = 120, height = 28, label = "", max: scale = null } = {}) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label || `${values.reduce((a, b) => a + b, 0)} events`);
  const max = Math.max(1, scale ?? Math.max(...values));
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.join(" "));
  svg.append(line);
  return svg;
}

/** Text with each occurrence of the terms wrapped in <mark> (case-insensitive, whole text kept). */
export function highlight(text, terms) {
  const words = (terms ?? []).filter(Boolean).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"));
  if (!words.length || !text) return [text ?? ""];
  const re = new RegExp(`(${words.join("|")})`, "gi");
  return String(text).split(re).map((part, i) => (i % 2 ? h("mark", {}, part) : part));
}

export function toast(message) {
  const box = document.getElementById("toast");
  const item = h("div", {}, message);
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove(); // the newest three, never a wall
  setTimeout(() => item.remove(), 3500);
}

/** Runs an operator's action: `message` as a toast when it worked, then `after` (a reload), and
 *  answers what the action answered; the API's refusal (and its field) as a toast when it did not,
 *  answering null. */
export async function attempt(fn, message, after) {
  try {
    const out = await fn();
    if (message) toast(message);
    await after?.();
    return out;
  } catch (err) {
    toast(`${err.message}${err.field ? ` (${err.field})` : ""}`);
    return null;
  }
}

export function copyButton(text, label = "Copy") {
  return h("button", {
    type: "button",
    onclick: async (e) => {
      try {
        await navigator.clipboard.writeText(text);
        e.target.textContent = "Copied";
      } catch {
        // No clipboard (http, or permission): select the text so the operator can copy it.
        e.target.textContent = "Select and copy";
      }
      setTimeout(() => (e.target.textContent = label), 1500);
    },
  }, label);
}

/** A horizontal bar list: [{value, events}]; `onpick(value)` makes names buttons. */
export function barList(items, { onpick } = {}) {
  const max = Math.max(1, ...items.map((i) => i.events));
  return h("div.bars", {}, items.map((i) => {
    const fill = h("div.fill");
    fill.style.width = `${Math.round((i.events / max) * 100)}%`; // CSSOM, which the CSP allows
    return h("div.bar", {},
      onpick ? h("button.name.ghost", { type: "button", title: i.value, onclick: () => onpick(i.value) }, i.value)
        : h("span.name", { title: i.value }, i.value),
      h("div.track", {}, fill),
      h("span.muted", {}, fmtNumber(i.events)));
  }));
}

export function errorBox(err) {
  return h("p.error-text", { role: "alert" }, `${err.message ?? err}${err.code ? ` (${err.code})` : ""}`);
}
