// Source maps uploaded per project: a multipart form, a tar.gz and a zip with esbuild's own output (the
// fixtures of tests/cpp/sourcemaps), debug IDs from maps and bundles, release + URL, listing and
// deleting, hostile uploads (paths that climb out, a gzip bomb, maps past the limits, broken
// maps), R2 or D1 chunks, and the retention purge.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { crc32, deflateRawSync, gzipSync, zstdDecompressSync } from "node:zlib";
import { tar as tarOf } from "../../clients/js/src/sourcemaps/upload.js";
import { ROOT, startWorker } from "../support/harness.js";

const FIXTURES = join(ROOT, "tests", "cpp", "sourcemaps", "fixtures");
const MAP = readFileSync(join(FIXTURES, "app.min.js.map"));
const BUNDLE = readFileSync(join(FIXTURES, "app.min.js"));
const DEBUG_ID = "5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c";

/** A ustar archive of [name, bytes], as the client's upload command writes one. */
const tar = (entries) => tarOf(entries.map(([name, bytes]) => ({ name, bytes })));

/** A zip of [name, bytes, {stored, size}] as zip tools write one: local headers, the members
 *  (deflated unless `stored`), the central directory, its end record. `size` overrides the
 *  uncompressed size a member declares. */
function zip(entries) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, data, { stored = false, size = data.length } = {}] of entries) {
    const packed = stored ? Buffer.from(data) : deflateRawSync(data);
    const fileName = Buffer.from(name);
    const fields = (h, at) => {
      h.writeUInt16LE(20, at); h.writeUInt16LE(0x800, at + 2); h.writeUInt16LE(stored ? 0 : 8, at + 4);
      h.writeUInt32LE(crc32(data), at + 10); h.writeUInt32LE(packed.length, at + 14); h.writeUInt32LE(size, at + 18);
      h.writeUInt16LE(fileName.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

let w, plain;
before(async () => {
  [w, plain] = await Promise.all([startWorker(), startWorker({ cold: false })]);
  await Promise.all([w.createProject("web"), plain.createProject("web")]);
});
after(() => Promise.all([w?.dispose(), plain?.dispose()]));

const upload = (h, body, { query = "", type = "application/gzip" } = {}) =>
  h.admin(`/api/admin/projects/web/sourcemaps${query}`, { method: "POST", body, ...(type ? { headers: { "Content-Type": type } } : {}) });

describe("uploading source maps", () => {
  test("a multipart form: the map and its bundle by debug ID under a release, other files skipped", async () => {
    const form = new FormData();
    form.append("release", "1.4.2");
    form.append("file", new Blob([MAP]), "assets/app.min.js.map");
    form.append("file", new Blob([BUNDLE]), "assets/app.min.js");
    form.append("file", new Blob(["body{}"]), "assets/app.css");
    // The bytes a client sends for the form (Miniflare's fetch would not encode Node's FormData).
    const encoded = new Response(form);
    const res = await upload(w, Buffer.from(await encoded.arrayBuffer()), { type: encoded.headers.get("content-type") });
    assert.equal(res.status, 201, await res.clone().text());
    const body = await res.json();
    assert.equal(body.release, "1.4.2");
    assert.deepEqual(body.files.map((f) => [f.url, f.kind, f.debug_id]).sort(), [
      ["~/assets/app.min.js", "source", DEBUG_ID], ["~/assets/app.min.js.map", "map", DEBUG_ID]]);
    assert.deepEqual(body.skipped, ["assets/app.css"]);
    assert.deepEqual(body.refused, []);
    // Kept compressed on R2: the object holds the map as uploaded.
    const { files } = await (await w.admin("/api/admin/projects/web/sourcemaps?release=1.4.2")).json();
    const map = files.find((f) => f.kind === "map");
    assert.ok(map.stored_bytes < map.bytes);
    const { results } = await w.db.prepare("SELECT object FROM source_files WHERE id = ?1").bind(map.id).all();
    const bucket = await w.mf.getR2Bucket("COLD");
    const object = await bucket.get(results[0].object);
    assert.deepEqual(zstdDecompressSync(Buffer.from(await object.arrayBuffer())), MAP);
  });

  test("a tar.gz: a map without a debug ID takes its bundle's (named by sourceMappingURL); without R2, in D1 chunks", async () => {
    const bare = JSON.parse(MAP);
    delete bare.debugId;
    const bundle = `${BUNDLE.toString().trimEnd()}\n//# sourceMappingURL=app.min.js.map\n`;
    const archive = gzipSync(tar([["./dist/app.min.js", Buffer.from(bundle)], ["./dist/app.min.js.map", Buffer.from(JSON.stringify(bare))]]));
    const res = await upload(plain, archive, { query: "?release=2.0.0" });
    assert.equal(res.status, 201);
    const { files } = await res.json();
    assert.deepEqual(files.map((f) => [f.url, f.debug_id]).sort(), [["~/dist/app.min.js", DEBUG_ID], ["~/dist/app.min.js.map", DEBUG_ID]]);
    const map = files.find((f) => f.kind === "map");
    const { results } = await plain.db.prepare("SELECT data FROM source_chunks WHERE file_id = ?1 ORDER BY seq").bind(map.id).all();
    assert.ok(results.length >= 1);
    const packed = Buffer.concat(results.map((r) => Buffer.from(r.data)));
    assert.deepEqual(JSON.parse(zstdDecompressSync(packed)), bare);
  });

  test("the same release and URL again replaces the file; releases are listed with their files", async () => {
    const again = await upload(plain, gzipSync(tar([["dist/app.min.js", BUNDLE]])), { query: "?release=2.0.0" });
    assert.equal(again.status, 201);
    const { releases, files } = await (await plain.admin("/api/admin/projects/web/sourcemaps?release=2.0.0")).json();
    assert.deepEqual(files.map((f) => f.url).sort(), ["~/dist/app.min.js", "~/dist/app.min.js.map"]);
    assert.deepEqual(releases.map((r) => [r.release, r.files, r.maps]), [["2.0.0", 2, 1]]);
  });

  test("a zip: deflated and stored members, directories passed over, debug IDs as from a tar", async () => {
    const archive = zip([["static/", Buffer.alloc(0), { stored: true }], ["static/js/main.js", BUNDLE],
      ["static/js/main.js.map", MAP, { stored: true }], ["static/notes.txt", Buffer.from("x")]]);
    const res = await upload(plain, archive, { query: "?release=3.0.0", type: "application/zip" });
    assert.equal(res.status, 201, await res.clone().text());
    const body = await res.json();
    assert.deepEqual(body.files.map((f) => [f.url, f.kind, f.debug_id, f.bytes]), [
      ["~/static/js/main.js", "source", DEBUG_ID, BUNDLE.length], ["~/static/js/main.js.map", "map", DEBUG_ID, MAP.length]]);
    assert.deepEqual(body.skipped, ["static/notes.txt"]);
    // Known by its first bytes whatever the type it is sent as.
    const untyped = await upload(plain, zip([["x/app.js", BUNDLE]]), { query: "?release=3.0.1", type: "application/octet-stream" });
    assert.equal(untyped.status, 201);
  });

  test("hostile and broken uploads: climbing paths, broken maps, a 17 MiB and a 100 MB map, a gzip bomb, zip bombs", async () => {
    const mixed = await upload(w, tar([
      ["../../etc/evil.js.map", MAP], ["/abs/x.js", BUNDLE], ["ok/app.js", BUNDLE],
      ["bad.js.map", Buffer.from('{"version":3,"sources":["a.js"],"names":[],"mappings":"AA!A"}')],
      ["old.js.map", Buffer.from('{"version":2,"mappings":""}')],
    ]), { type: "application/x-tar" });
    assert.equal(mixed.status, 201);
    const body = await mixed.json();
    assert.deepEqual(body.files.map((f) => f.url), ["~/ok/app.js"]);
    assert.deepEqual(body.refused.map((r) => [r.name, r.code]), [
      ["../../etc/evil.js.map", "invalid_path"], ["/abs/x.js", "invalid_path"], ["bad.js.map", "invalid_source_map"],
      ["old.js.map", "invalid_source_map"]]);
    assert.match(body.refused[2].message, /bad VLQ value in mappings at byte 2/);
    assert.equal(body.refused[3].message, "the map's version is not 3");

    const none = await upload(w, tar([["bad.js.map", Buffer.from("not json")]]), { type: "application/x-tar" });
    assert.equal(none.status, 400);
    const refusal = await none.json();
    assert.equal(refusal.error.code, "no_files_kept");
    assert.equal(refusal.refused[0].message, "the map is not valid JSON");

    const large = await upload(w, gzipSync(tar([["large.js.map", Buffer.alloc(17 * 1024 * 1024, 32)]])));
    assert.equal(large.status, 400);
    const largeBody = await large.json();
    assert.equal(largeBody.refused[0].code, "source_map_too_large");
    assert.equal(largeBody.refused[0].message, "large.js.map is 17 MiB; edgelog keeps files up to 16 MiB");
    // A 100 MB map is refused before it is read.
    const huge = await upload(w, tar([["huge.js.map", Buffer.alloc(100 * 1000 * 1000, 32)]]), { type: "application/x-tar" });
    assert.equal(huge.status, 413);
    assert.deepEqual((await huge.json()).error, { code: "upload_too_large", message: "an upload is at most 32 MiB as sent" });

    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }); // past the 48 MiB an upload may unpack to
    assert.ok(bomb.length < 128 * 1024);
    const exploded = await upload(w, bomb);
    assert.equal(exploded.status, 413);
    assert.equal((await exploded.json()).error.code, "archive_too_large");

    const cut = await upload(w, tar([["a.js", BUNDLE]]).subarray(0, 600), { type: "application/x-tar" });
    assert.equal(cut.status, 400);
    assert.equal((await cut.json()).error.code, "invalid_archive");
    const broken = await upload(w, Buffer.from("PK\u0003\u0004"), { type: "application/zip" });
    assert.equal(broken.status, 400);
    assert.deepEqual((await broken.json()).error, { code: "invalid_archive",
      message: "not a zip archive edgelog reads: no end of central directory record" });
    // A zip bomb: members that declare 40 MiB each, or a member that inflates past what it declares.
    const declared = await upload(w, zip([["a.js.map", Buffer.alloc(1024), { size: 40 << 20 }], ["b.js.map", Buffer.alloc(1024), { size: 40 << 20 }]]));
    assert.equal(declared.status, 413);
    assert.equal((await declared.json()).error.code, "archive_too_large");
    // Paths that climb out are refused in a zip as in a tar.
    const climbing = await upload(w, zip([["../../evil.js", BUNDLE], ["/etc/x.js.map", MAP], ["C:/x.js", BUNDLE], ["fine/app.js", BUNDLE]]),
      { query: "?release=z1" });
    assert.equal(climbing.status, 201);
    assert.deepEqual((await climbing.json()).refused.map((r) => [r.name, r.code]),
      [["../../evil.js", "invalid_path"], ["/etc/x.js.map", "invalid_path"], ["C:/x.js", "invalid_path"]]);
    assert.equal((await w.admin("/api/admin/projects/web/sourcemaps?release=z1", { method: "DELETE" })).status, 200);
    const lying = await upload(w, zip([["a.js.map", Buffer.alloc(8 << 20), { size: 1024 }]]));
    assert.equal(lying.status, 400);
    assert.equal((await lying.json()).error.message, "not a zip archive edgelog reads: a.js.map does not inflate to its declared size");
    const release = await upload(w, tar([["a.js", BUNDLE]]), { type: "application/x-tar", query: `?release=${"x".repeat(201)}` });
    assert.equal((await release.json()).field, "release");
  });

  test("deleting a release's files, one file, and the retention purge", async () => {
    const list = async () => (await (await w.admin("/api/admin/projects/web/sourcemaps")).json());
    const before = await list();
    const one = before.files.find((f) => f.url === "~/ok/app.js");
    assert.equal((await w.admin(`/api/admin/projects/web/sourcemaps/${one.id}`, { method: "DELETE" })).status, 200);
    assert.equal((await w.admin(`/api/admin/projects/web/sourcemaps/${one.id}`, { method: "DELETE" })).status, 404);
    assert.equal((await w.admin("/api/admin/projects/web/sourcemaps", { method: "DELETE" })).status, 400);
    const gone = await (await w.admin("/api/admin/projects/web/sourcemaps?release=1.4.2", { method: "DELETE" })).json();
    assert.equal(gone.deleted, 2);
    assert.deepEqual((await list()).files, []);
    const bucket = await w.mf.getR2Bucket("COLD");
    assert.equal((await bucket.list({ prefix: "sourcemaps/" })).objects.length, 0);

    // 91 days old: the purge takes it.
    assert.equal((await upload(plain, gzipSync(tar([["late.js", BUNDLE]])), { query: "?release=0.9" })).status, 201);
    await plain.db.prepare("UPDATE source_files SET created_at = ?1 WHERE url = '~/late.js'").bind(Date.now() - 91 * 86_400_000).run();
    const purge = await (await plain.admin("/api/admin/purge", { method: "POST" })).json();
    assert.equal(purge.jobs.purge.source_files_deleted, 1);
    const left = await (await plain.admin("/api/admin/projects/web/sourcemaps?release=0.9")).json();
    assert.deepEqual(left.files, []);
    assert.equal((await plain.db.prepare("SELECT count(*) AS n FROM source_chunks WHERE file_id NOT IN (SELECT id FROM source_files)").first()).n, 0);
  });
});

describe("symbolication at ingest", () => {
  test("an error from two releases minified differently: rewritten to its sources and one issue, the minified stack kept", async () => {
    await w.createProject("symbols");
    const { key } = await w.createUnsignedKey("symbols");
    const send = (events) => w.fetch("/api/log", { method: "POST", headers: { "Content-Type": "application/json", "X-Project-Key": key },
      body: JSON.stringify(events) });
    const stack = (name) => readFileSync(join(FIXTURES, `${name}.stack.txt`), "utf8");
    const error = (release, name) => ({ level: "error", message: "RangeError: card declined: amount too large", release, stack: stack(name) });
    // Before any map: the minified frames, and no map is looked for again for a minute.
    assert.equal((await send([error("1.4.2", "app.min")])).status, 202);
    for (const [release, name] of [["1.4.2", "app.min"], ["1.5.0", "app.v2.min"]]) {
      const res = await w.admin(`/api/admin/projects/symbols/sourcemaps?release=${release}`, {
        method: "POST", headers: { "Content-Type": "application/gzip" },
        body: gzipSync(tar([[`assets/${name}.js`, readFileSync(join(FIXTURES, `${name}.js`))],
          [`assets/${name}.js.map`, readFileSync(join(FIXTURES, `${name}.js.map`))]])) });
      assert.equal(res.status, 201);
    }
    assert.equal((await send([error("1.4.2", "app.min"), error("1.5.0", "app.v2.min")])).status, 202);
    const logs = await w.logs("symbols", "level=error");
    assert.equal(logs.length, 3);
    const [v2, v1, before] = logs;
    // Stored minified, read back symbolicated; grouped as it was stored.
    assert.equal(before.ctx.symbolicated.at_read, true);
    assert.match(before.ctx.symbolicated.minified_stack, /at e \(https:\/\/shop\.example\.com\/assets\/app\.min\.js:1:36\)/);
    assert.match(v1.stack, /^RangeError: card declined: amount too large\n {4}at chargeCard \(src\/payment\.js:4:11\)\n {4}at checkout \(src\/cart\.js:6:10\)/);
    assert.match(v2.stack, /at chargeCard \(src\/payment\.js:4:11\)/);
    assert.equal(v1.ctx.symbolicated.minified_stack, stack("app.min"));
    assert.match(v1.ctx.symbolicated.context.context_line, /throw new RangeError/);
    assert.equal(v1.fingerprint, v2.fingerprint);
    assert.notEqual(before.fingerprint, v1.fingerprint);
    const { issues } = await (await w.admin("/api/issues?project=symbols")).json();
    const symbolicated = issues.find((i) => i.fingerprint === v1.fingerprint);
    assert.equal(symbolicated.count, 2);
  });
});

describe("symbolication by debug ID", () => {
  test("a Sentry event whose debug_meta names the bundle's debug ID: its frames read back, whatever its release", async () => {
    const project = await w.createProject("sentry-maps");
    const { key } = await w.createUnsignedKey("sentry-maps");
    const upload = await w.admin("/api/admin/projects/sentry-maps/sourcemaps", {
      method: "POST", headers: { "Content-Type": "application/x-tar" },
      body: tar([["dist/app.min.js", BUNDLE], ["dist/app.min.js.map", MAP]]) });
    assert.equal(upload.status, 201);
    // The frames as the Sentry browser SDK sends them (outermost first), and its debug_meta.
    const url = "https://cdn.example.com/static/app.min.js";
    const event = {
      event_id: "a".repeat(32), level: "error", platform: "javascript", release: "not-uploaded",
      exception: { values: [{ type: "RangeError", value: "card declined: amount too large", stacktrace: { frames: [
        { function: "d", abs_path: url, lineno: 1, colno: 212 }, { function: "o", abs_path: url, lineno: 1, colno: 186 },
        { function: "e", abs_path: url, lineno: 1, colno: 36 }] } }] },
      debug_meta: { images: [{ type: "sourcemap", code_file: url, debug_id: DEBUG_ID.toUpperCase() }] },
    };
    const res = await w.fetch(`/api/${project.project.id}/store/?sentry_key=${key}`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(event) });
    assert.equal(res.status, 200, await res.clone().text());
    const [stored] = await w.logs("sentry-maps");
    assert.match(stored.stack, /^RangeError: card declined: amount too large\n {4}at chargeCard \(src\/payment\.js:4:11\)\n {4}at checkout \(src\/cart\.js:6:10\)\n {4}at handle \(src\/index\.js:4:18\)/);
    assert.equal(stored.ctx.symbolicated.frames, 3);
    // The debug ID stays with the stack it named: the event's page reads every frame's source by it.
    assert.deepEqual(stored.ctx.symbolicated.debug_images, [{ code_file: url, debug_id: DEBUG_ID.toUpperCase() }]);
    const { event: one } = await (await w.admin(`/api/logs/${stored.id}?context=0`)).json();
    assert.deepEqual(one.ctx.symbolicated.contexts.map((c) => c.line), [4, 6, 4]);
    assert.equal(one.stack, stored.stack);
  });
});

describe("symbolication at read", () => {
  test("events stored before their map: read back symbolicated by release + URL and by the debug IDs kept in ctx", async () => {
    await w.createProject("late");
    const { key } = await w.createUnsignedKey("late");
    const stack = readFileSync(join(FIXTURES, "app.min.stack.txt"), "utf8");
    const url = "https://shop.example.com/assets/app.min.js";
    const res = await w.fetch("/api/log", { method: "POST", headers: { "Content-Type": "application/json", "X-Project-Key": key },
      body: JSON.stringify([
        { level: "error", message: "RangeError: by release", release: "7.0.0", stack },
        { level: "error", message: "RangeError: by debug ID", stack: stack.replace("RangeError: card", "RangeError: the card"),
          debug_meta: { images: [{ type: "sourcemap", code_file: url, debug_id: DEBUG_ID }, { type: "sourcemap", code_file: "https://x/other.js", debug_id: DEBUG_ID }] } },
      ]) });
    assert.equal(res.status, 202);
    const stored = await w.logs("late", "level=error");
    const byId = stored.find((e) => e.message.endsWith("debug ID")), byRelease = stored.find((e) => e.message.endsWith("release"));
    // Stored minified; the debug ID of the stack's own bundle kept for later.
    assert.match(byRelease.stack, /at e \(https:\/\/shop\.example\.com\/assets\/app\.min\.js:1:36\)/);
    assert.deepEqual(byId.ctx.debug_images, [{ code_file: url, debug_id: DEBUG_ID }]);
    const read = async (id) => (await (await w.admin(`/api/logs/${id}?context=0`)).json()).event;
    assert.equal((await read(byRelease.id)).ctx, undefined, "no map yet: as stored");

    const upload = await w.admin("/api/admin/projects/late/sourcemaps?release=7.0.0", { method: "POST",
      headers: { "Content-Type": "application/x-tar" }, body: tar([["assets/app.min.js", BUNDLE], ["assets/app.min.js.map", MAP]]) });
    assert.equal(upload.status, 201);
    for (const event of [await read(byRelease.id), await read(byId.id)]) {
      assert.match(event.stack, /\n {4}at chargeCard \(src\/payment\.js:4:11\)\n {4}at checkout \(src\/cart\.js:6:10\)/);
      assert.deepEqual(event.frames.slice(0, 2).map((f) => [f.function, f.file, f.line, f.in_app]),
        [["chargeCard", "src/payment.js", 4, true], ["checkout", "src/cart.js", 6, true]]);
      assert.equal(event.ctx.symbolicated.at_read, true);
      assert.equal(event.ctx.symbolicated.frames, 3);
      assert.match(event.ctx.symbolicated.minified_stack, /app\.min\.js:1:36/);
      assert.match(event.ctx.symbolicated.context.context_line, /throw new RangeError/);
      // An event's own page reads every in-app frame's source.
      assert.deepEqual(event.ctx.symbolicated.contexts.map((c) => `${c.file}:${c.line}`), ["src/payment.js:4", "src/cart.js:6", "src/index.js:4"]);
    }
    // The project's in-app rules mark the frames read back.
    const rules = await w.admin("/api/admin/projects/late", { method: "PATCH", body: JSON.stringify({ in_app_rules: 'file:"src/cart.js" -> -app' }) });
    assert.equal(rules.status, 200, await rules.clone().text());
    assert.deepEqual((await read(byRelease.id)).frames.slice(0, 2).map((f) => f.in_app), [true, false]);
    // The issue page's latest event and the search's rows too; the grouping stays the stored one's.
    const issue = await (await w.admin(`/api/issues/${byRelease.fingerprint}?project=late`)).json();
    assert.match(issue.latest_event.stack, /at chargeCard \(src\/payment\.js:4:11\)/);
    const listed = (await w.logs("late", "level=error")).find((e) => e.id === byRelease.id);
    assert.match(listed.stack, /at chargeCard \(src\/payment\.js:4:11\)/);
    assert.equal(listed.ctx.symbolicated.at_read, true);
    assert.equal(listed.fingerprint, byRelease.fingerprint);
    // The export is the data as stored.
    const exported = await (await w.admin("/api/export?project=late&from=1h&format=ndjson")).text();
    assert.match(exported, /app\.min\.js:1:36/);
  });
});
