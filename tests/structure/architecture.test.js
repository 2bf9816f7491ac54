// The map of the code cannot drift: every source file under src/, worker/ and dashboard/js/ (and
// worker.js and bindings/) is named in docs/architecture.md, and everything the map names exists.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { ROOT } from "../support/paths.mjs";

const map = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(cc|h|js)$/.test(name)) out.push(relative(ROOT, path));
  }
  return out;
}

test("every source file is on the map", () => {
  const sources = [...files(join(ROOT, "src")), ...files(join(ROOT, "worker")), ...files(join(ROOT, "dashboard", "js")),
    ...files(join(ROOT, "bindings")), "worker.js"]
    .filter((f) => f !== "worker/platform/vocabulary.js" || map.includes(f)) // generated at build time
    .filter((f) => !f.startsWith("worker/vendor/")); // npm packages bundled at build time
  const missing = sources.filter((f) => !map.includes(`\`${f}\``));
  assert.deepEqual(missing, []);
});

test("everything the map names exists", () => {
  const named = [...map.matchAll(/`((?:src|worker|dashboard\/js|bindings)\/[\w/.-]+\.(?:cc|h|js))`/g)].map((m) => m[1]);
  assert.ok(named.length > 100);
  const gone = named.filter((f) => !existsSync(join(ROOT, f)) && f !== "worker/platform/vocabulary.js");
  assert.deepEqual(gone, []);
});
