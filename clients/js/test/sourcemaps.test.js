// `edgelog sourcemaps upload` against the real Worker over HTTP, with a bundle esbuild builds here:
// debug IDs injected (the same content, the same ID; mappings untouched), registered at run time,
// named by the client in debug_meta, and the error read back symbolicated with no release at all.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInThisContext } from "node:vm";
import { gunzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { createClient } from "@edgelog/client";
import { ADMIN_TOKEN, ROOT, startWorker } from "../../../tests/support/harness.js";
import { debugMetaOf } from "../src/debug-ids.js";
import { contentDebugId, inject } from "../src/sourcemaps/inject.js";
import { groups, tarGz } from "../src/sourcemaps/upload.js";
import { readTar } from "../../../worker/platform/archive.js";

const CLI = join(ROOT, "clients", "js", "src", "cli.js");
const SOURCES = join(ROOT, "tests", "cpp", "sourcemaps", "fixtures", "src");
const SERVED = "https://shop.example.com/assets/app.js";

let w, dir;
before(async () => {
  w = await startWorker({ http: true });
  await w.createProject("spa");
  dir = mkdtempSync(join(tmpdir(), "edgelog-cli-"));
  // A browser bundle as a build makes it: minified, a script (IIFE), its map beside it, no debug ID.
  await build({ entryPoints: [join(SOURCES, "index.js")], bundle: true, minify: true, format: "iife", globalName: "shop",
    sourcemap: "linked", sourcesContent: true, outfile: join(dir, "app.js"), logLevel: "warning" });
  writeFileSync(join(dir, "README.txt"), "not kept");
});
after(async () => {
  await w?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b) => { stdout += b; });
    child.stderr.on("data", (b) => { stderr += b; });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe("edgelog sourcemaps upload", () => {
  test("injects a debug ID derived from the bundle, keeps the mappings, and uploads both files", async () => {
    const before = readFileSync(join(dir, "app.js"), "utf8");
    const beforeMap = JSON.parse(readFileSync(join(dir, "app.js.map"), "utf8"));
    const dry = await cli(["sourcemaps", "upload", dir, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would inject debug ID ${contentDebugId(before)} into app.js and app.js.map`));
    assert.equal(readFileSync(join(dir, "app.js"), "utf8"), before, "a dry run changes nothing");

    const run = await cli(["sourcemaps", "upload", dir, "--url-prefix", "assets/"],
      { EDGELOG_URL: w.url, EDGELOG_PROJECT: "spa", EDGELOG_TOKEN: ADMIN_TOKEN });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const id = contentDebugId(before);
    assert.match(run.stdout, new RegExp(`kept ~/assets/app.js.map \\(debug ID ${id}\\)`));
    assert.match(run.stdout, /2 files kept, 0 refused, 1 debug IDs injected, 1 request/);
    const after = readFileSync(join(dir, "app.js"), "utf8");
    const map = JSON.parse(readFileSync(join(dir, "app.js.map"), "utf8"));
    assert.equal(map.debugId, id);
    assert.equal(map.mappings, beforeMap.mappings, "no mapped line moved");
    const lines = after.split("\n");
    assert.equal(lines[0], before.split("\n")[0], "the code's lines are as they were");
    assert.match(after, new RegExp(`//# debugId=${id}\\n//# sourceMappingURL=app.js.map\\n$`));

    const listed = await (await w.admin("/api/admin/projects/spa/sourcemaps")).json();
    assert.deepEqual(listed.files.map((f) => [f.url, f.debug_id]).sort(), [["~/assets/app.js", id], ["~/assets/app.js.map", id]]);

    // Again: the bundle has its ID, nothing is injected twice.
    const again = await cli(["sourcemaps", "upload", dir, "--url-prefix", "assets/", "--url", w.url, "--project", "spa", "--token", ADMIN_TOKEN]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 debug IDs injected/);
    assert.equal(readFileSync(join(dir, "app.js"), "utf8"), after);
  });

  test("the bundle registers its ID when it runs; the client names it in debug_meta; the stack reads as the source", async () => {
    // Run the uploaded bundle as a browser would load it from its URL.
    runInThisContext(readFileSync(join(dir, "app.js"), "utf8"), { filename: SERVED });
    let error;
    try {
      globalThis.shop.handle({ items: [{ price: 700 }, { price: 600 }] });
    } catch (err) {
      error = err;
    }
    assert.ok(error, "the fixture app throws");
    const id = JSON.parse(readFileSync(join(dir, "app.js.map"), "utf8")).debugId;
    assert.deepEqual(debugMetaOf(error.stack), { images: [{ type: "sourcemap", code_file: SERVED, debug_id: id }] });

    const { key } = await w.createUnsignedKey("spa");
    const log = createClient({ url: w.url, key, config: false, flushIntervalMs: 60_000 });
    log.error(error.message, { stack: error.stack }); // no release: the debug ID alone finds the map
    await log.close();
    assert.equal(log.stats().sent_events, 1);
    const [event] = await w.logs("spa", "from=1h");
    assert.match(event.stack, /at chargeCard \([^)]*fixtures\/src\/payment\.js:4:11\)/, event.stack);
    assert.match(event.ctx.symbolicated.minified_stack, /shop\.example\.com\/assets\/app\.js:1:/);
    globalThis.shop = undefined; // a var of the script: not deletable
  });

  test("refusals and usage: a missing setting, a bad token, an unknown command", async () => {
    const missing = await cli(["sourcemaps", "upload", dir], { EDGELOG_URL: "", EDGELOG_PROJECT: "", EDGELOG_TOKEN: "" });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --url \(EDGELOG_URL\), --project \(EDGELOG_PROJECT\), --token \(EDGELOG_TOKEN\)/);
    const denied = await cli(["sourcemaps", "upload", dir, "--url", w.url, "--project", "spa", "--token", "wrong"]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^edgelog: 401 unauthorized/);
    const unknown = await cli(["maps", "send", dir]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command: maps send/);
    const empty = mkdtempSync(join(tmpdir(), "edgelog-empty-"));
    const none = await cli(["sourcemaps", "upload", empty, "--dry-run"]);
    rmSync(empty, { recursive: true });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /holds no \.js, \.mjs, \.cjs or \.map file/);
  });
});

describe("injection and archives", () => {
  test("a bundle without a sourceMappingURL comment gets the lines at its end; IDs are v4-shaped and stable", () => {
    const { code, map, id } = inject("console.log(1)", JSON.stringify({ version: 3, mappings: "AAAA", sources: ["a.js"], names: [] }));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id, contentDebugId("console.log(1)"));
    assert.notEqual(id, contentDebugId("console.log(2)"));
    assert.ok(code.startsWith("console.log(1)\n;!function(){"));
    assert.ok(code.endsWith(`//# debugId=${id}\n`));
    assert.equal(JSON.parse(map).debugId, id);
  });

  test("debug_meta from Firefox's and Safari's stacks too; files without an ID are left out", () => {
    const saved = globalThis._sentryDebugIds;
    globalThis._sentryDebugIds = { ...saved, "@https://cdn.example.com/v.js:1:10\n": "11111111-2222-4333-8444-555555555555" };
    try {
      const stack = "n@https://cdn.example.com/v.js:1:200\nrun@https://cdn.example.com/other.js:3:4\n";
      assert.deepEqual(debugMetaOf(stack), { images: [{ type: "sourcemap", code_file: "https://cdn.example.com/v.js",
        debug_id: "11111111-2222-4333-8444-555555555555" }] });
      assert.equal(debugMetaOf("Error: x\n    at f (https://cdn.example.com/other.js:1:1)"), undefined);
    } finally {
      globalThis._sentryDebugIds = saved;
    }
  });

  test("the tar the CLI writes is read by the Worker's reader, long paths included; a bundle travels with its map", () => {
    const long = `${"nested/".repeat(20)}chunk-abc.js`;
    const files = [{ name: "app.js", bytes: Buffer.from("a") }, { name: long, bytes: Buffer.from("bb") }];
    const read = readTar(gunzipSync(tarGz(files)));
    assert.deepEqual(read.files.map((f) => [f.name, Buffer.from(f.bytes).toString()]), [["app.js", "a"], [long, "bb"]]);
    const big = (name, mib) => ({ name, bytes: Buffer.alloc(mib * 1024 * 1024) });
    const parts = groups([big("a.js", 1), big("a.js.map", 15), big("b.js", 1), big("b.js.map", 15), big("c.js.map", 15)],
      [{ bundle: "a.js", map: "a.js.map" }, { bundle: "b.js", map: "b.js.map" }]);
    assert.deepEqual(parts.map((p) => p.map((f) => f.name)), [["a.js", "a.js.map", "b.js", "b.js.map"], ["c.js.map"]]);
  });
});
