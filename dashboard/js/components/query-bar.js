// The query bar's text and the URL's filter parameters, both ways. Reading what an operator typed
// is the core's (GET /api/query): the dashboard only writes the parameters it answers, and writes
// text back from parameters for the bar.
import { api, qs } from "./api.js";
import { h } from "./dom.js";
import { filterFields } from "./vocabulary.js";

const quoted = (v) => (/\s/.test(v) ? `"${v}"` : v);

/** A value as a query term writes it: bare when it is one plain word, else quoted with \" and \\. */
export const queryValue = (v) => (/^[\p{L}\p{N}_.\-/@]+$/u.test(v) ? v : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);

/** The query bar text for the filters in the URL (with `level:` when the page has no level toggles). */
export function queryText(params, { withLevel = false } = {}) {
  const parts = [];
  for (const f of filterFields()) if (params.get(f)) parts.push(`${f}:${quoted(params.get(f))}`);
  for (const f of filterFields()) for (const v of params.getAll(`not.${f}`)) parts.push(`-${f}:${quoted(v)}`);
  if (withLevel && params.get("level")) parts.push(`level:${params.get("level")}`);
  if (params.get("q")) parts.push(params.get("q"));
  return parts.join(" ");
}

/** URL changes for a submitted query bar, as the core reads it; `level:` replaces the levels when
 *  `withLevel`, else adds. Answers {changes} or {error: {field, message, position}} (the core's
 *  refusal; position in the text as JavaScript counts it, when the fault has one). */
export async function queryChanges(text, { withLevel = false } = {}) {
  const reading = await api(`/api/query${qs({ text })}`).catch((err) => (err.status === 400 ? err : Promise.reject(err)));
  if (reading.status === 400) return { error: { field: reading.field, message: reading.message, position: reading.position } };
  const { filter } = reading;
  const changes = { q: filter.q ?? null };
  for (const f of filterFields()) {
    changes[f] = filter[f] ?? null;
    changes[`not.${f}`] = filter.not?.[f] ?? null;
  }
  if (withLevel || filter.level) changes.level = filter.level ?? null;
  return { changes };
}

/** Shows what is wrong with the bar's text under it: the message, and the text with the place
 *  underlined (a blank underlined at the end when something is missing there); the caret moves
 *  to it. `error` null clears it. */
export function showQueryProblem(box, input, error) {
  input.toggleAttribute("aria-invalid", Boolean(error));
  if (!error) return box.replaceChildren();
  const text = input.value;
  const at = Number.isInteger(error.position) ? Math.min(error.position, text.length) : null;
  if (at === null) return box.replaceChildren(error.message);
  // The character at the place, whole when it is a surrogate pair.
  const wide = at < text.length && /[\uD800-\uDBFF]/.test(text[at]) ? 2 : 1;
  const fault = at < text.length ? text.slice(at, at + wide) : "\u00a0";
  box.replaceChildren(h("span", {}, error.message),
    h("code.query-fault", { "aria-hidden": "true" }, text.slice(0, at), h("u", {}, fault), text.slice(at + wide)));
  input.focus();
  input.setSelectionRange(at, Math.min(at + wide, text.length));
}

/** {from, to} query values for the range in the URL. */
export function rangeOf(params) {
  if (params.get("range") === "custom" || (!params.get("range") && params.get("from")))
    return { from: params.get("from"), to: params.get("to") };
  return { from: params.get("range") ?? "24h", to: null };
}

/** The API's filter parameters from the URL (and its time range when `range`). */
export function filtersOf(params, { range = true } = {}) {
  const out = { project: params.get("project"), q: params.get("q"), level: params.get("level"), ...(range ? rangeOf(params) : {}) };
  for (const f of filterFields()) {
    out[f] = params.get(f);
    out[`not.${f}`] = params.getAll(`not.${f}`);
  }
  return out;
}
