// The old layout (a row per event in `logs`, from before segments): its rows become segments
// through the core, for the conversion job and for reads while rows are left.
import { core } from "../platform/core.js";

const encoder = new TextEncoder();
const SCALARS = ["level", "message", "stack", "source", "env", "user_id", "request_id", "session_id", "release",
  "event_id", "source_type", "error_type", "component", "endpoint"];

// A legacy row as an ingest event; ctx and tags are spliced in as the JSON text they are stored as.
function eventText(row) {
  const event = { ts: row.ts, _fingerprint: row.fingerprint };
  for (const k of SCALARS) if (row[k] !== null) event[k] = row[k];
  let text = JSON.stringify(event).slice(0, -1);
  if (row.ctx !== null) text += `,"ctx":${row.ctx}`;
  if (row.tags !== null) text += `,"tags":${row.tags}`;
  return `${text}}`;
}

/** Old rows as the JSON body of an ingest the core converts. */
const legacyEventsText = (rows) => `[${rows.map(eventText).join(",")}]`;

/** The core's conversion of old rows (at most 64 MiB of them) into segments: its ingest decision
 *  as plain data ({header, segments, writes}) with times, groups and ids kept and no shares (they
 *  were counted). */
export function convertRows(rows, { retentionHours = 0, retentionOverrides = {} } = {}) {
  const decision = core.ingest({
    now_ms: Date.now(),
    settings: { convert: true, scrubbing: { enabled: false }, max_events: rows.length, max_body_bytes: 64 << 20,
      max_decoded_bytes: 64 << 20, retention_hours: retentionHours, retention_overrides: retentionOverrides },
  }, encoder.encode(legacyEventsText(rows)));
  const { header, segments, writes } = decision;
  decision.release();
  return { header, segments, writes };
}
