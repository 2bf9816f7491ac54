// The debug IDs of the bundles a stack runs through, as an event's debug_meta: bundles whose
// debug IDs were injected (`edgelog sourcemaps upload`, or Sentry's bundler plugins and CLI)
// register themselves in `globalThis._sentryDebugIds`, keyed by a stack taken inside the bundle.

// A frame's file: V8's "at f (file:1:2)" / "at file:1:2", and Firefox's and Safari's "f@file:1:2".
const FRAME = /^\s*at (?:.*? \()?(.+?):\d+:\d+\)?\s*$|^[^@\n]*@(.+?):\d+:\d+\s*$/;

function files(stack) {
  const out = [];
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    if (m) out.push((m[1] ?? m[2]).replace(/^async /, ""));
  }
  return out;
}

let seen = 0;
let byFile = new Map();

// file → debug ID, read again when bundles registered since.
function registered() {
  const ids = globalThis._sentryDebugIds;
  if (!ids || typeof ids !== "object") return byFile;
  const keys = Object.keys(ids);
  if (keys.length === seen) return byFile;
  const next = new Map();
  for (const key of keys) {
    const file = files(key)[0]; // the innermost frame: the bundle that registered
    if (file && typeof ids[key] === "string") next.set(file, ids[key]);
  }
  seen = keys.length;
  byFile = next;
  return byFile;
}

/** `{images: [{type: "sourcemap", code_file, debug_id}]}` for the bundles of `stack` that have a
 *  debug ID, or undefined when none has. */
export function debugMetaOf(stack) {
  if (typeof stack !== "string") return undefined;
  const known = registered();
  if (!known.size) return undefined;
  const images = [];
  for (const file of new Set(files(stack))) {
    const id = known.get(file);
    if (id) images.push({ type: "sourcemap", code_file: file, debug_id: id });
  }
  return images.length ? { images } : undefined;
}
