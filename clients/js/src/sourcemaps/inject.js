// Debug IDs for bundles that lack them: a UUID derived from the bundle's content (the same bytes,
// the same ID), written into the bundle as `//# debugId=` (ECMA-426's proposal), into its map as
// `debugId`, and registered at run time in `globalThis._sentryDebugIds` the way Sentry's bundler
// plugins do, so that this client and Sentry's SDKs alike can name the bundle's debug ID in an
// event (debug_meta) and edgelog finds the map whatever the release or URL.
import { createHash } from "node:crypto";

const DEBUG_ID = /\/\/# debugId=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/;
const MAPPING_URL = /^\/\/[#@] sourceMappingURL=(\S+)\s*$/m;

/** The debug ID a bundle already carries (lower case), or null. */
export function debugIdOf(code) {
  return DEBUG_ID.exec(code.slice(-4096))?.[1].toLowerCase() ?? null;
}

/** The map a bundle names (`//# sourceMappingURL=`), when it is a relative path; null for data:
 *  URLs, absolute URLs and none. */
export function mapPathOf(code) {
  const all = [...code.slice(-4096).matchAll(new RegExp(MAPPING_URL.source, "gm"))];
  const url = all.at(-1)?.[1];
  if (!url || /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("/")) return null;
  return decodeURIComponent(url.split(/[?#]/)[0]);
}

/** A UUID from the bundle's bytes (SHA-256), its version and variant bits those of a v4 UUID. */
export function contentDebugId(code) {
  const h = createHash("sha256").update(code).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Registers the bundle's debug ID under the stack of an Error made here: its innermost frame names
// the bundle as the runtime loaded it (URL or path), which is how a stack's frames find it.
const snippet = (id) =>
  `;!function(){try{var g=typeof globalThis!="undefined"?globalThis:typeof window!="undefined"?window:typeof self!="undefined"?self:typeof global!="undefined"?global:{},s=(new g.Error).stack;s&&(g._sentryDebugIds=g._sentryDebugIds||{},g._sentryDebugIds[s]="${id}",g._sentryDebugIdIdentifier="sentry-dbid-${id}")}catch(e){}}();`;

/** The bundle and its map with a debug ID: {code, map, id}. The registration and the comment go
 *  after the bundle's last line of code, before its `sourceMappingURL` comment, so that no mapped
 *  line moves and the map's mappings stay as they are. */
export function inject(code, mapText) {
  const id = contentDebugId(code);
  const map = JSON.parse(mapText);
  map.debugId = id;
  const lines = `${snippet(id)}\n//# debugId=${id}\n`;
  const m = [...code.matchAll(new RegExp(MAPPING_URL.source, "gm"))].at(-1);
  let out;
  if (m) out = code.slice(0, m.index) + lines + code.slice(m.index);
  else out = code + (code.endsWith("\n") ? "" : "\n") + lines;
  return { code: out, map: JSON.stringify(map), id };
}
