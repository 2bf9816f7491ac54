// One event in full: message, fields (filterable ones clickable, ids copyable), stack with its
// in-app frames marked (and, for a stack read back through a source map, the source around its
// in-app frames and the minified stack as it arrived), ctx and tags. Explore, the event page
// and the issue page show it.
import { copyButton, fmtTime, h, highlight, levelBadge } from "./dom.js";
import { filterFields } from "./vocabulary.js";

const COPYABLE = ["request_id", "fingerprint", "event_id"];

/** One event in full: message, fields, stack (in-app frames marked), ctx and tags as JSON. */
export function eventBlock(e, terms = [], { filter = null } = {}) {
  const fields = ["project", "env", "source", "source_type", "component", "endpoint", "release", "user_id", "request_id",
    "session_id", "event_id", "error_type", "exception_type", "action", "hint", "fingerprint"];
  const flags = [e.truncated ? `truncated: ${Object.keys(e.truncated).join(", ")}` : null, e.scrubbed ? "values scrubbed" : null,
    e.ts_original ? `time replaced (sent ${e.ts_original})` : null].filter(Boolean);
  return h("div", {},
    h("p.msg", {}, levelBadge(e.level), " ", highlight(e.message, terms)),
    flags.length ? h("p.notice", {}, flags.join(" · ")) : null,
    h("table.fields", {}, h("tbody", {},
      h("tr", {}, h("th", {}, "time"), h("td", {}, fmtTime(e.ts, { ms: true }), h("span.muted", {}, ` (received ${fmtTime(e.received_at, { ms: true })})`))),
      fields.filter((f) => e[f] !== undefined && e[f] !== null).map((f) => h("tr", {}, h("th", {}, f),
        h("td", {}, f === "fingerprint" ? h("a", { href: `#/issue/${e.fingerprint}?project=${encodeURIComponent(e.project)}` }, e[f])
          : filter && filterFields().includes(f) ? h("button.value", { type: "button", title: `Show only ${f}:${e[f]} (alt-click: leave it out)`,
            onclick: (ev) => filter(f, String(e[f]), ev) }, String(e[f]))
          : String(e[f]),
        COPYABLE.includes(f) ? [" ", copyButton(String(e[f]), "Copy")] : null))))),
    e.frames?.length ? [h("h3", {}, "Stack"), h("ol.frames", {}, e.frames.map((f) => h("li", { class: f.in_app ? "in-app" : "" },
      `${f.function || "?"}  ${f.module || f.file || ""}${f.line ? `:${f.line}` : ""}`, f.in_app ? h("span.muted", {}, "  in app") : null)))]
      : null,
    sourceContexts(e.ctx?.symbolicated),
    e.stack ? [h("h3", {}, "Raw stack"), h("pre", {}, highlight(e.stack, terms))] : null,
    e.ctx?.symbolicated?.minified_stack ? h("details", { "data-minified": "" },
      h("summary", {}, `Minified stack (${e.ctx.symbolicated.frames} frames read back through a source map${e.ctx.symbolicated.at_read
        ? " uploaded after this event was stored: it was grouped on the minified frames" : ""})`),
      h("pre", {}, e.ctx.symbolicated.minified_stack)) : null,
    e.ctx ? [h("h3", {}, "ctx"), h("pre", {}, JSON.stringify(e.ctx, null, 2))] : null,
    e.tags ? [h("h3", {}, "tags"), h("pre", {}, JSON.stringify(e.tags, null, 2))] : null,
    h("p", {}, h("a", { href: `#/event/${e.id}` }, "Events around this one")));
}


/** The source around each symbolicated in-app frame (the event's page reads them all; a list, the
 *  first): five lines either side, the frame's line marked; the first shown, the others folded. */
function sourceContexts(s) {
  const list = (s?.contexts?.length ? s.contexts : [s?.context]).filter((c) => c?.context_line || c?.pre?.length);
  return list.map((c, i) => (i === 0 ? [h("h3", {}, "Source ", h("span.muted", {}, `${c.file}:${c.line}`)), sourceLines(c)]
    : h("details", { "data-source-more": "" }, h("summary", {}, "Source ", h("span.muted", {}, `${c.file}:${c.line}`)), sourceLines(c))));
}

function sourceLines(c) {
  const first = c.line - (c.pre?.length ?? 0);
  const row = (text, n, here) => h("li", { class: here ? "here" : "", value: n }, text || " ");
  return h("ol.source", { start: first, "data-source": "" }, (c.pre ?? []).map((t, i) => row(t, first + i, false)),
    row(c.context_line, c.line, true), (c.post ?? []).map((t, i) => row(t, c.line + 1 + i, false)));
}
