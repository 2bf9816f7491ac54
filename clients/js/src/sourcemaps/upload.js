// `edgelog sourcemaps upload <dir>`: the build output's bundles and maps, debug IDs injected where
// they lack them, sent to the project as gzip'd tars within the service's upload limits.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { debugIdOf, inject, mapPathOf } from "./inject.js";

const KINDS = /\.(map|m?js|cjs)$/i;
const MAX_PART_BYTES = 40 * 1024 * 1024; // unpacked per request: the service takes 48 MiB
const MAX_FILE_BYTES = 16 * 1024 * 1024; // the service's limit per file

/** The files under `dir` edgelog keeps (.js, .mjs, .cjs, .map), as paths relative to it with `/`,
 *  sorted; node_modules and dot-directories left out. */
export async function listFiles(dir) {
  const out = [];
  async function walk(at) {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && KINDS.test(entry.name)) out.push(relative(dir, path).split(sep).join("/"));
    }
  }
  await walk(dir);
  return out.sort();
}

/** Gives each bundle under `dir` that has a map but no debug ID one, rewriting both files (unless
 *  `write` is false). Answers [{bundle, map, id, injected}] for the bundles with a map. */
export async function injectDebugIds(dir, files, { write = true } = {}) {
  const present = new Set(files);
  const out = [];
  for (const bundle of files.filter((f) => !f.endsWith(".map"))) {
    const code = await readFile(join(dir, bundle), "utf8");
    const named = mapPathOf(code);
    const map = named !== null ? posix.normalize(posix.join(posix.dirname(bundle), named)) : `${bundle}.map`;
    if (!present.has(map)) continue;
    const existing = debugIdOf(code);
    if (existing) {
      out.push({ bundle, map, id: existing, injected: false });
      continue;
    }
    const done = inject(code, await readFile(join(dir, map), "utf8"));
    if (write) {
      await writeFile(join(dir, bundle), done.code);
      await writeFile(join(dir, map), done.map);
    }
    out.push({ bundle, map, id: done.id, injected: true });
  }
  return out;
}

// One file of a POSIX ustar archive: a 512-byte header, the content padded to 512 bytes. Names
// past 100 bytes are split into the header's prefix (155) and name.
function tarEntry(name, bytes) {
  const header = Buffer.alloc(512);
  let prefix = "", base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`${name}: the path is too long for a tar`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  header.write(base, 0, 100);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(bytes.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148); // the checksum counts itself as spaces
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  header.write(prefix, 345, 155);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const pad = Buffer.alloc((512 - (bytes.length % 512)) % 512);
  return [header, bytes, pad];
}

/** A tar of [{name, bytes}]. */
export function tar(files) {
  return Buffer.concat([...files.flatMap((f) => tarEntry(f.name, f.bytes)), Buffer.alloc(1024)]);
}

/** A gzip'd tar of [{name, bytes}]. */
export const tarGz = (files) => gzipSync(tar(files), { level: 6 });

/** The files in requests of at most MAX_PART_BYTES unpacked each, a bundle in the same request as
 *  its map (so that a debug ID found only in the bundle reaches its map). */
export function groups(files, pairs) {
  const mapOf = new Map(pairs.map((p) => [p.bundle, p.map]));
  const paired = new Set(pairs.map((p) => p.map));
  const units = [];
  for (const f of files) {
    if (paired.has(f.name)) continue;
    const map = mapOf.get(f.name);
    const members = [f, ...(map ? files.filter((g) => g.name === map) : [])];
    units.push({ members, bytes: members.reduce((n, m) => n + m.bytes.length, 0) });
  }
  const out = [];
  let current = [], size = 0;
  for (const u of units) {
    if (current.length && size + u.bytes > MAX_PART_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(...u.members);
    size += u.bytes;
  }
  if (current.length) out.push(current);
  return out;
}

/** Injects and uploads `dir` to `project` at `url`: {requests, files [...], refused [...],
 *  injected}. Throws with the service's code and message when it refuses a request. */
export async function upload({ dir, url, project, token, release = null, urlPrefix = "", injectIds = true,
  dryRun = false, fetchImpl = globalThis.fetch, log = () => {} }) {
  const names = await listFiles(dir);
  if (!names.length) throw new Error(`${dir} holds no .js, .mjs, .cjs or .map file`);
  const pairs = await injectDebugIds(dir, names, { write: injectIds && !dryRun });
  const injected = injectIds ? pairs.filter((p) => p.injected) : [];
  for (const p of injected) log(`${dryRun ? "would inject" : "injected"} debug ID ${p.id} into ${p.bundle} and ${p.map}`);
  const trimmed = urlPrefix.replace(/^~?\/+/, "").replace(/\/+$/, "");
  const prefix = trimmed ? `${trimmed}/` : "";
  const files = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    if (bytes.length > MAX_FILE_BYTES) {
      log(`skipped ${name}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB, past the ${MAX_FILE_BYTES >> 20} MiB a file may be`);
      continue;
    }
    files.push({ name: prefix + name, bytes });
  }
  const prefixed = pairs.map((p) => ({ bundle: prefix + p.bundle, map: prefix + p.map }));
  const requests = groups(files, prefixed);
  const result = { requests: requests.length, files: [], refused: [], injected: injected.length };
  if (dryRun) {
    result.files = files.map((f) => ({ url: `~/${f.name}`, bytes: f.bytes.length }));
    return result;
  }
  const base = String(url).replace(/\/+$/, "");
  const target = `${base}/api/admin/projects/${encodeURIComponent(project)}/sourcemaps${release ? `?release=${encodeURIComponent(release)}` : ""}`;
  for (const [i, group] of requests.entries()) {
    const body = tarGz(group);
    log(`sending ${group.length} files (${(body.length / 1024).toFixed(0)} KiB)${requests.length > 1 ? `, part ${i + 1} of ${requests.length}` : ""}`);
    const res = await fetchImpl(target, { method: "POST", body,
      headers: { "Authorization": `Bearer ${token}`, "Content-Type": "application/gzip" } });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      const why = answer.refused?.map((r) => `\n  ${r.name}: ${r.code}: ${r.message}`).join("") ?? "";
      const err = new Error(`${res.status} ${answer.error?.code ?? "error"}: ${answer.error?.message ?? res.statusText}${why}`);
      err.answer = answer;
      err.status = res.status;
      throw err;
    }
    result.files.push(...answer.files);
    result.refused.push(...(answer.refused ?? []));
  }
  return result;
}
