// Source maps uploaded per project (docs/sourcemaps.md): the files of a zip, a tar (gzip or not)
// or a multipart form, each checked (a map is read by the core as symbolication will read it), its debug
// ID found, and kept zstd-compressed on R2 (or in D1 chunks without R2); listed by release,
// deleted by release or one by one, purged after their retention.
import * as db from "../db/index.js";
import { isZip, readTar, readZip } from "../platform/archive.js";
import { deleteObjects, getBytes, putBytes } from "../platform/cold.js";
import { core } from "../platform/core.js";
import { decodeBody, readBounded } from "../platform/http.js";

// A Worker has 128 MB: the upload as sent, its files unpacked and the core's reading of one map
// (about four times the map while it is parsed) must fit together.
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024; // as sent
export const MAX_UNPACKED_BYTES = 48 * 1024 * 1024; // every file of the upload, decompressed
export const MAX_FILE_BYTES = 16 * 1024 * 1024; // one file
const MAX_FILES = 2000;
const CHUNK_BYTES = 512 * 1024; // a D1 chunk, well below its row limit
const RETENTION_DAYS = 90;
const DEBUG_ID = /\/\/# debugId=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/;
const MAPPING_URL = /\/\/# sourceMappingURL=(\S+)\s*$/m;
const decoder = new TextDecoder();

/** An upload the route refuses whole: status, code, message. */
export class UploadRefused extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The files of an upload (a multipart form, else a zip or tar by its first bytes), [{name,
 *  bytes}], and the release a form may name. */
export async function readUpload(request) {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES) throw tooLarge();
  if (type.startsWith("multipart/form-data")) {
    let form;
    try {
      form = await request.formData();
    } catch {
      throw new UploadRefused(400, "invalid_archive", "the body is not a multipart form");
    }
    const files = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") continue;
      if (files.length === MAX_FILES) throw new UploadRefused(413, "too_many_files", `at most ${MAX_FILES} files per upload`);
      files.push({ name: value.name || field, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
    const release = form.get("release");
    return { files, release: typeof release === "string" ? release : null };
  }
  let bytes = await readBounded(request, MAX_UPLOAD_BYTES);
  if (bytes.length > MAX_UPLOAD_BYTES) throw tooLarge();
  if (isZip(bytes)) {
    const zip = await readZip(bytes, { maxFiles: MAX_FILES, maxUnpacked: MAX_UNPACKED_BYTES });
    if (zip.tooLarge) throw new UploadRefused(413, "archive_too_large", `the archive unpacks to more than ${MAX_UNPACKED_BYTES >> 20} MiB`);
    if (zip.error) throw new UploadRefused(400, "invalid_archive", `not a zip archive edgelog reads: ${zip.error}`);
    return { files: zip.files, release: null };
  }
  // gzip by its magic bytes (a .tgz sent as application/gzip, application/x-tar or with Content-Encoding).
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const unpacked = await decodeBody(bytes, "gzip", MAX_UNPACKED_BYTES);
    if (unpacked.error) throw new UploadRefused(400, "invalid_archive", "the gzip stream does not decompress");
    if (unpacked.body.length > MAX_UNPACKED_BYTES)
      throw new UploadRefused(413, "archive_too_large", `the archive unpacks to more than ${MAX_UNPACKED_BYTES >> 20} MiB`);
    bytes = unpacked.body;
  }
  const tar = readTar(bytes, { maxFiles: MAX_FILES });
  if (tar.error) throw new UploadRefused(400, "invalid_archive", `not a tar archive: ${tar.error}`);
  return { files: tar.files, release: null };
}

const tooLarge = () => new UploadRefused(413, "upload_too_large", `an upload is at most ${MAX_UPLOAD_BYTES >> 20} MiB as sent`);

/** The path an archive names, as edgelog keeps it ("assets/app.js"), or null when it could escape
 *  or means nothing: absolute, `..`, a drive, NUL, empty. */
export function safePath(name) {
  const path = name.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  if (!path || path.includes("\0") || path.startsWith("/") || /^[a-zA-Z]:/.test(path)) return null;
  const parts = path.split("/");
  if (parts.some((p) => p === ".." || p === "")) return null;
  return path;
}

const kindOf = (path) => (/\.map$/i.test(path) ? "map" : /\.(m|c)?js$/i.test(path) ? "source" : null);

/** Checks and stores an upload's files for `project`: {files (stored), refused [{name, code,
 *  message}], skipped (names of other kinds of file)}. */
export async function storeUpload(env, project, { files, release }, now = Date.now()) {
  const stored = [], refused = [], skipped = [];
  const accepted = [];
  let unpacked = 0;
  for (const file of files) {
    const path = safePath(file.name);
    if (path === null) {
      refused.push({ name: file.name, code: "invalid_path", message: "a path that is absolute or climbs out (..) is not kept" });
      continue;
    }
    const kind = kindOf(path);
    if (!kind) {
      skipped.push(path);
      continue;
    }
    unpacked += file.bytes.length;
    if (unpacked > MAX_UNPACKED_BYTES)
      throw new UploadRefused(413, "archive_too_large", `the upload's files are more than ${MAX_UNPACKED_BYTES >> 20} MiB`);
    if (file.bytes.length > MAX_FILE_BYTES) {
      refused.push({ name: path, code: kind === "map" ? "source_map_too_large" : "file_too_large",
        message: `${path} is ${(file.bytes.length / 2 ** 20).toFixed(0)} MiB; edgelog keeps files up to ${MAX_FILE_BYTES >> 20} MiB` });
      continue;
    }
    let debugId = null, mapUrl = null;
    if (kind === "map") {
      const check = core.checkSourceMap(file.bytes);
      if (check.error) {
        refused.push({ name: path, code: check.error.code, message: check.error.message });
        continue;
      }
      debugId = check.debug_id || null;
    } else {
      const tail = decoder.decode(file.bytes.subarray(Math.max(0, file.bytes.length - 4096)));
      debugId = DEBUG_ID.exec(tail)?.[1].toLowerCase() ?? null;
      mapUrl = MAPPING_URL.exec(tail)?.[1] ?? null;
    }
    accepted.push({ path, kind, bytes: file.bytes, debugId, mapUrl });
  }
  // A bundle with a debug ID names its map: the map takes that ID when it has none of its own.
  for (const source of accepted.filter((f) => f.kind === "source" && f.debugId && f.mapUrl && !/^[a-z]+:/i.test(f.mapUrl))) {
    const dir = source.path.includes("/") ? source.path.slice(0, source.path.lastIndexOf("/") + 1) : "";
    const map = accepted.find((f) => f.kind === "map" && !f.debugId && f.path === safePath(dir + source.mapUrl));
    if (map) map.debugId = source.debugId;
  }
  for (const file of accepted) {
    const packed = core.zstd(file.bytes, 3);
    let object = null, chunks = [];
    if (env.COLD) {
      object = `sourcemaps/${project.id}/${crypto.randomUUID()}`;
      await putBytes(env.COLD, object, packed, { project: String(project.id), url: `~/${file.path}` });
    } else {
      for (let i = 0; i < packed.length; i += CHUNK_BYTES) chunks.push(packed.subarray(i, i + CHUNK_BYTES));
    }
    const { id, replaced } = await db.insertSourceFile(env.DB, { projectId: project.id, kind: file.kind, url: `~/${file.path}`,
      release, debugId: file.debugId, bytes: file.bytes.length, storedBytes: packed.length, object, chunks, now });
    if (replaced.length && env.COLD) await deleteObjects(env.COLD, replaced);
    stored.push({ id, name: file.path, url: `~/${file.path}`, kind: file.kind, debug_id: file.debugId, bytes: file.bytes.length });
  }
  forgetMaps(project.id);
  return { files: stored, refused, skipped };
}

// Which maps each project has, as symbolication keys, read at most once a minute per isolate (an
// upload is used within a minute everywhere, at once where it was made): a project without maps
// costs its ingests nothing, and a batch naming files no map covers asks D1 nothing.
const KEYS_FRESH_MS = 60_000;
const projectKeys = new Map(); // project id → {keys: Set, readAt}
const absent = new Map(); // key → until: an uploaded map that did not load

async function keysOf(env, projectId, now) {
  let entry = projectKeys.get(projectId);
  if (!entry || now - entry.readAt >= KEYS_FRESH_MS) {
    const keys = new Set();
    for (const m of await db.sourceMapKeys(env.DB, projectId)) {
      if (m.debug_id) keys.add(`${projectId}:debug:${m.debug_id}`);
      keys.add(`${projectId}:url:${m.release ?? ""}|${m.url}`);
    }
    if (projectKeys.size > 1000) projectKeys.clear();
    entry = { keys, readAt: now };
    projectKeys.set(projectId, entry);
  }
  return entry.keys;
}

/** Whether the project has uploaded maps (its ingests then look their stacks up); false when D1
 *  does not answer. */
export async function hasSourceMaps(env, projectId, now = Date.now()) {
  try {
    return (await keysOf(env, projectId, now)).size > 0;
  } catch (err) {
    console.error("source map keys unavailable", err);
    return false;
  }
}

async function storedBytes(env, file) {
  if (file.object) return env.COLD ? getBytes(env.COLD, file.object) : null;
  const chunks = await db.sourceChunks(env.DB, file.id);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(new Uint8Array(c), at);
    at += c.byteLength;
  }
  return out;
}

/** Loads into the core the maps an ingest named in `missing_maps` that the project has uploaded
 *  (and their bundles, for function names): true when one was loaded, so the batch is decided
 *  again. Keys are "<project>:debug:<id>" or "<project>:url:<release>|~/<path>.map"
 *  (src/sourcemaps/symbolicate.cc). */
export async function loadMissingMaps(env, projectId, keys, now = Date.now()) {
  let loaded = false;
  const uploaded = await keysOf(env, projectId, now);
  for (const key of keys) {
    if (!uploaded.has(key) || (absent.get(key) ?? 0) > now) continue;
    const byId = /^(\d+):debug:([0-9a-f-]{1,64})$/.exec(key);
    const byUrl = /^(\d+):url:([^|]*)\|(~\/.+)$/.exec(key);
    if (Number((byId ?? byUrl)?.[1]) !== projectId) continue;
    let map, bundleFile;
    if (byId) {
      map = await db.sourceFileByDebugId(env.DB, projectId, byId[2], "map");
      bundleFile = map && await db.sourceFileByDebugId(env.DB, projectId, byId[2], "source");
    } else {
      const release = byUrl[2] || null;
      map = await db.sourceFileAt(env.DB, projectId, release, byUrl[3]);
      bundleFile = map?.kind === "map" && await db.sourceFileAt(env.DB, projectId, release, byUrl[3].replace(/\.map$/, ""));
    }
    const bytes = map?.kind === "map" ? await storedBytes(env, map) : null;
    if (!bytes) {
      if (absent.size > 10_000) absent.clear();
      absent.set(key, now + ABSENT_MS);
      continue;
    }
    const bundle = bundleFile?.kind === "source" ? await storedBytes(env, bundleFile) : null;
    const answer = core.loadSourceMap(key, bytes, bundle);
    if (answer.error) {
      console.error("stored source map not read", key, answer.error.message);
      absent.set(key, now + ABSENT_MS);
      continue;
    }
    loaded = true;
  }
  return loaded;
}

/** Forgets what this isolate knew of a project's maps (after an upload or deletion here). */
function forgetMaps(projectId) {
  projectKeys.delete(projectId);
  absent.clear();
}

/** Deletes files (of a release, or one by id) and their R2 objects: how many went. */
export async function deleteSourceFiles(env, project, which) {
  const removed = await db.deleteSourceFiles(env.DB, project.id, which);
  forgetMaps(project.id);
  const objects = removed.map((r) => r.object).filter(Boolean);
  if (objects.length && env.COLD) await deleteObjects(env.COLD, objects);
  return removed.length;
}

/** The retention job's part: files uploaded more than SOURCEMAP_RETENTION_DAYS (90) ago, at most
 *  `limit` per run: {deleted, remaining}. */
export async function purgeSourceFiles(env, now, limit = 500) {
  const days = Number(env.SOURCEMAP_RETENTION_DAYS ?? RETENTION_DAYS);
  const old = await db.expiredSourceFiles(env.DB, now - days * 86_400_000, limit + 1);
  const batch = old.slice(0, limit);
  if (!batch.length) return { deleted: 0, remaining: false };
  const objects = batch.map((r) => r.object).filter(Boolean);
  if (objects.length && env.COLD) await deleteObjects(env.COLD, objects);
  await db.forgetSourceFiles(env.DB, batch.map((r) => r.id));
  return { deleted: batch.length, remaining: old.length > limit };
}

/** Events read back (rows of `project`, {id, slug}) whose JavaScript stacks were stored minified
 *  because no map was there yet: symbolicated now, in place, when the project has maps that cover
 *  them (by the event's release and URL, or the debug IDs kept in ctx.debug_images). Their stack
 *  becomes the original one and ctx.symbolicated says so (`at_read`: grouping stayed the minified
 *  one's). With `contexts` (an event's own page), every in-app frame's context lines are read too
 *  (ctx.symbolicated.contexts), for stacks symbolicated at ingest as well. Reading never fails on
 *  it: without D1 or a map, the events are as stored. */
export async function symbolicateStored(env, project, events, { contexts = 1 } = {}, now = Date.now()) {
  const stored = events.filter((e) => e && typeof e.stack === "string" && e.stack);
  const pending = stored.filter((e) => !e.ctx?.symbolicated);
  const done = contexts > 1 ? stored.filter((e) => typeof e.ctx?.symbolicated?.minified_stack === "string" && !e.ctx.symbolicated.contexts) : [];
  const work = [...pending, ...done].slice(0, 100);
  if (!work.length || !(await hasSourceMaps(env, project.id, now))) return events;
  try {
    const events = work.map((e) => ({ stack: e.ctx?.symbolicated?.minified_stack ?? e.stack, release: e.release ?? "",
      debug_images: [e.ctx?.symbolicated?.debug_images, e.ctx?.debug_images].find(Array.isArray) ?? [] }));
    const ask = (rules) => core.symbolicate({ project_id: project.id, in_app_rules: rules, contexts, events });
    let answer = ask("");
    if (answer.missing_maps.length && await loadMissingMaps(env, project.id, answer.missing_maps, now)) answer = ask("");
    // The project's in-app rules mark the rewritten frames: read only when a frame was rewritten
    // (rows of stacks no map covers, a Node service's, cost a list no D1 read).
    if (answer.events.some((s) => s.frames)) {
      const rules = (await db.projectBySlug(env.DB, project.slug))?.in_app_rules ?? "";
      if (rules) answer = ask(rules);
    }
    answer.events.forEach((s, i) => {
      if (!s.frames) return;
      const e = work[i];
      const read = s.contexts ? { contexts: s.contexts } : {};
      if (e.ctx?.symbolicated) { // symbolicated at ingest: only the context lines are new
        e.ctx = { ...e.ctx, symbolicated: { ...e.ctx.symbolicated, ...read } };
        return;
      }
      e.ctx = { ...(e.ctx ?? {}), symbolicated: { frames: s.frames, minified_stack: e.stack, ...(s.context ? { context: s.context } : {}),
        ...read, at_read: true } };
      e.stack = s.stack;
      e.frames = s.stack_frames;
    });
  } catch (err) {
    console.error("symbolication at read failed", err);
  }
  return events;
}
