// The query bar's suggestions: as the operator types, the fields (built-in, and the ctx and tags
// keys the project's recent events carry), then a field's values (levels, and the commonest values
// of few-valued fields and keys), and the operators. A combobox: arrows move, Enter or Tab takes
// the highlighted one, Escape closes; the mouse works too.
import { api, qs } from "./api.js";
import { h } from "./dom.js";
import { queryValue } from "./query-bar.js";
import { filterFields, levels } from "./vocabulary.js";

const SHOWN = 8;
const FRESH_MS = 60_000;
const cache = new Map(); // project → {at, promise}
let lists = 0;

/** The keys and values of a project's events over the last 24 h (GET /api/logs/fields), read at
 *  most once a minute. */
function fieldsOf(project) {
  const hit = cache.get(project ?? "");
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.promise;
  const promise = api(`/api/logs/fields${qs({ project, from: "24h" })}`).catch(() => ({ keys: [], values: {} }));
  cache.set(project ?? "", { at: Date.now(), promise });
  return promise;
}

// The term the caret is in: where it starts (after a leading - or !) and its text up to the caret.
function termAt(text, caret) {
  let start = caret;
  let quoted = false;
  for (let i = 0; i < caret; i++) if (text[i] === '"' && text[i - 1] !== "\\") quoted = !quoted;
  if (quoted) { // inside a quoted value: the term starts before the field's quote
    start = text.lastIndexOf('"', caret - 1);
    while (start > 0 && !/[\s(]/.test(text[start - 1])) start--;
  } else {
    while (start > 0 && !/[\s(]/.test(text[start - 1])) start--;
  }
  while (start < caret && (text[start] === "-" || text[start] === "!")) start++;
  return { start, word: text.slice(start, caret) };
}

/** What to offer for `word` (the term up to the caret): [{label, insert, hint}]. */
function optionsFor(word, fields, { afterTerm }) {
  const colon = word.indexOf(":");
  const builtIn = ["level", "message", "stack", "ts", ...filterFields()];
  const keys = fields.keys.map((k) => k.key);
  if (colon < 0) {
    const lower = word.toLowerCase();
    const named = [...builtIn, ...keys].filter((f) => f.toLowerCase().startsWith(lower) && f !== word)
      .map((f) => ({ label: `${f}:`, insert: `${f}:`, hint: keys.includes(f) ? `${fields.keys.find((k) => k.key === f).events} events` : "field" }));
    const has = "has:".startsWith(lower) && lower ? [{ label: "has:", insert: "has:", hint: "the field is present" }] : [];
    const ops = afterTerm && word && /^[A-Z]+$/.test(word)
      ? ["AND", "OR", "NOT"].filter((o) => o.startsWith(word) && o !== word).map((o) => ({ label: o, insert: `${o} `, hint: "operator" })) : [];
    return [...ops, ...has, ...named];
  }
  const field = word.slice(0, colon);
  let value = word.slice(colon + 1).replace(/^(>=|<=|>|<)/, "");
  const op = word.slice(colon + 1, word.length - value.length);
  if (value.startsWith('"')) value = value.slice(1);
  const lower = value.toLowerCase();
  let values = [];
  if (field === "has") values = [...builtIn, ...keys].map((v) => ({ value: v, hint: "field" }));
  else if (field === "level") values = levels().map((v) => ({ value: v, hint: op ? `${op}${v}` : "level" }));
  else {
    const known = fields.values?.[field] ?? fields.keys.find((k) => k.key === field)?.values ?? [];
    values = known.map((v) => ({ value: v.value, hint: `${v.events} events` }));
  }
  return values.filter((v) => v.value.toLowerCase().startsWith(lower) && v.value !== value)
    .map((v) => ({ label: v.value, insert: `${field}:${op}${field === "has" ? v.value : queryValue(v.value)} `, hint: v.hint }));
}

/** Wraps the query `input` with its suggestions for `project`; answers the node to place. */
export function withSuggestions(input, { project }) {
  const list = h("ul.suggest", { role: "listbox", id: `suggest-${++lists}`, hidden: true, "aria-label": "Suggestions" });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  let options = [];
  let active = -1;
  let term = null;
  let fields = { keys: [], values: {} };
  const close = () => {
    list.hidden = true;
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const mark = () => {
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const take = (i) => {
    const o = options[i];
    if (!o || !term) return;
    const text = input.value;
    // The rest of the term after the caret is replaced too.
    let end = input.selectionStart;
    while (end < text.length && !/[\s)]/.test(text[end])) end++;
    input.value = text.slice(0, term.start) + o.insert + text.slice(end).replace(/^ (?=\S)/, " ");
    const caret = term.start + o.insert.length;
    input.setSelectionRange(caret, caret);
    input.focus();
    refresh();
  };
  const refresh = () => {
    const caret = input.selectionStart ?? input.value.length;
    if (caret !== input.selectionEnd) return close();
    term = termAt(input.value, caret);
    const afterTerm = /\S\s+$/.test(input.value.slice(0, term.start));
    options = optionsFor(term.word, fields, { afterTerm }).slice(0, SHOWN);
    if (!options.length || (!term.word && !afterTerm && input.value.trim())) return close();
    active = -1;
    list.replaceChildren(...options.map((o, i) => h("li", { role: "option", id: `${list.id}-${i}`, "aria-selected": "false",
      onmousedown: (e) => { e.preventDefault(); take(i); } }, h("span", {}, o.label), h("span.muted", {}, o.hint))));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  input.addEventListener("focus", async () => {
    fields = await fieldsOf(project);
    if (document.activeElement === input) refresh();
  });
  input.addEventListener("input", refresh);
  input.addEventListener("click", refresh);
  input.addEventListener("blur", close);
  input.addEventListener("keydown", (e) => {
    if (list.hidden) {
      if (e.key === "ArrowDown") {
        refresh();
        e.preventDefault();
      }
      return;
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = options.length;
      active = e.key === "ArrowDown" ? (active + 1) % n : active <= 0 ? n - 1 : active - 1;
      mark();
    } else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) {
      e.preventDefault();
      take(active);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  return h("span.suggest-wrap", {}, input, list);
}
