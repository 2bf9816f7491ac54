// Log records of other libraries → edgelog events: the fields edgelog has its own place for are
// lifted out (message, time, error, ids, source), the rest goes to ctx.

const OWN = ["source", "env", "user_id", "request_id", "session_id", "release", "event_id", "component", "endpoint"];

/** An Error-like value ({message, stack}) → the event's stack (whose first line names the
 *  exception's class; edgelog derives error_type and the title from it). */
function errorFields(err) {
  if (!err || typeof err !== "object") return {};
  return typeof err.stack === "string" ? { stack: err.stack } : {};
}

/** A record's own fields, minus `skip`, as an edgelog event at `level`. */
export function toEvent(record, { level, message, ts, skip = [], source }) {
  const event = { level, message: message || "(no message)" };
  if (ts !== undefined) event.ts = ts;
  const ctx = {};
  for (const [k, v] of Object.entries(record)) {
    if (skip.includes(k) || v === undefined) continue;
    if (OWN.includes(k) && (typeof v === "string" || typeof v === "number")) event[k] = String(v);
    else if (k === "err" || k === "error") Object.assign(event, errorFields(v), v && typeof v === "object" ? {} : { [k]: v });
    else ctx[k] = v;
  }
  if (source && !event.source) event.source = source;
  if (!event.stack && typeof record.stack === "string") event.stack = record.stack;
  if (Object.keys(ctx).length) event.ctx = ctx;
  return event;
}
