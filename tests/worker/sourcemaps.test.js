// Source maps uploaded per project: a multipart form and a tar.gz with esbuild's own output (the
// fixtures of tests/cpp/sourcemaps), debug IDs from maps and bundles, release + URL, listing and
// deleting, hostile uploads (paths that climb out, a gzip bomb, maps past the limits, broken
// maps), R2 or D1 chunks, and the retention purge.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync, zstdDecompressSync } from "node:zlib";
import { ROOT, startWorker } from "../support/harness.js";

const FIXTURES = join(ROOT, "tests", "cpp", "sourcemaps", "fixtures");
const MAP = readFileSync(join(FIXTURES, "app.min.js.map"));
const BUNDLE = readFileSync(join(FIXTURES, "app.min.js"));
const DEBUG_ID = "5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c";

/** A ustar archive of [name, bytes] (names up to 100 bytes). */
function tar(entries) {
  const blocks = [];
  for (const [name, data] of entries) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\u000000", 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
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

  test("hostile and broken uploads: climbing paths, broken maps, a 17 MiB and a 100 MB map, a gzip bomb, zip", async () => {
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
    const zip = await upload(w, Buffer.from("PK\u0003\u0004"), { type: "application/zip" });
    assert.equal(zip.status, 415);
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
    assert.match(before.stack, /at e \(https:\/\/shop\.example\.com\/assets\/app\.min\.js:1:36\)/);
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
  });
});
