// The Worker in layers: every relative import resolves to a module that exports what is imported;
// imports only go down (worker.js → router → routes → jobs → services → platform, db); no route imports
// another route; no cycles. The dashboard likewise: pages never import the shell.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsFiles(path));
    else if (name.endsWith(".js")) out.push(path);
  }
  return out;
}

/** Each module's relative imports: [{spec, target, names}] (names null for a namespace import). */
export function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const out = [];
  for (const m of text.matchAll(/^import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+[\w$]+|\{([^}]*)\})?\s*(?:from\s+)?["'](\.[^"']+)["'];?/gm)) {
    const names = m[2] === undefined ? null : m[2].split(",").map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean);
    out.push({ spec: m[3], target: resolve(dirname(file), m[3]), names, hasDefault: Boolean(m[1]) });
  }
  return out;
}

/** The names a module exports (export function/const/class/let, export { … }, export * from). */
function exportsOf(file, seen = new Set()) {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const text = readFileSync(file, "utf8");
  const names = new Set();
  for (const m of text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/gm)) names.add(m[1]);
  for (const m of text.matchAll(/^export\s+\{([^}]*)\}/gm))
    for (const n of m[1].split(",")) if (n.trim()) names.add(n.trim().split(/\s+as\s+/).pop());
  for (const m of text.matchAll(/^export\s+\*\s+from\s+["'](\.[^"']+)["']/gm))
    for (const n of exportsOf(resolve(dirname(file), m[1]), seen)) names.add(n);
  if (/^export\s+default\s/m.test(text)) names.add("default");
  return names;
}

// worker/vendor/ holds npm packages bundled at build time (make wasm): imported, never checked.
const workerFiles = [join(ROOT, "worker.js"), ...jsFiles(join(ROOT, "worker"))].filter((f) => !f.includes(`${ROOT}/worker/vendor/`));
const dashboardFiles = jsFiles(join(ROOT, "dashboard", "js"));

// Lower ranks are lower layers; a module may import its own layer or lower ones, except routes.
const RANKS = { "worker.js": 6, router: 5, routes: 4, jobs: 3, services: 2, platform: 1, db: 1, vendor: 1 };
const layerOf = (file) => {
  const rel = relative(ROOT, file).split("/");
  return rel[0] === "worker.js" ? "worker.js" : rel[0] === "worker" ? rel[1] : rel[0];
};

test("every relative import in the Worker and the dashboard names a module that exports it", () => {
  const problems = [];
  for (const file of [...workerFiles, ...dashboardFiles]) {
    for (const { spec, target, names, hasDefault } of importsOf(file)) {
      if (!existsSync(target)) {
        if (!target.endsWith(".wasm") || !target.includes(`${ROOT}/wasm/`)) problems.push(`${relative(ROOT, file)}: ${spec} does not exist`);
        continue;
      }
      if (!target.endsWith(".js")) continue;
      const exported = exportsOf(target);
      for (const n of names ?? []) if (!exported.has(n)) problems.push(`${relative(ROOT, file)}: ${spec} exports no ${n}`);
      if (hasDefault && !exported.has("default")) problems.push(`${relative(ROOT, file)}: ${spec} has no default export`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the Worker's imports only go down: worker.js → router → routes → jobs → services → platform and db", () => {
  const problems = [];
  for (const file of workerFiles) {
    const from = layerOf(file);
    assert.ok(from in RANKS, `${relative(ROOT, file)} is in no layer`);
    for (const { target } of importsOf(file)) {
      if (!target.startsWith(`${ROOT}/worker`)) continue;
      const to = layerOf(target);
      if (from === "db" && to !== "db") problems.push(`${relative(ROOT, file)} (db) imports ${relative(ROOT, target)}`);
      else if (from === "platform" && to !== "platform") problems.push(`${relative(ROOT, file)} (platform) imports ${relative(ROOT, target)}`);
      else if (RANKS[to] > RANKS[from]) problems.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
      else if (from === "routes" && to === "routes") problems.push(`${relative(ROOT, file)} imports another route: ${relative(ROOT, target)}`);
    }
  }
  assert.deepEqual(problems, []);
});

function cycles(files) {
  const graph = new Map(files.map((f) => [f, importsOf(f).map((i) => i.target).filter((t) => files.includes(t))]));
  const found = [];
  const state = new Map();
  const visit = (f, path) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      found.push([...path.slice(path.indexOf(f)), f].map((x) => relative(ROOT, x)).join(" → "));
      return;
    }
    state.set(f, "open");
    for (const t of graph.get(f)) visit(t, [...path, f]);
    state.set(f, "done");
  };
  for (const f of files) visit(f, []);
  return found;
}

test("no import cycles in the Worker or the dashboard", () => {
  assert.deepEqual(cycles(workerFiles), []);
  assert.deepEqual(cycles(dashboardFiles), []);
});

test("the dashboard in layers: pages never import the shell, components import neither", () => {
  const problems = [];
  for (const file of dashboardFiles) {
    const from = relative(join(ROOT, "dashboard", "js"), file).split("/")[0];
    for (const { target } of importsOf(file)) {
      const to = relative(join(ROOT, "dashboard", "js"), target).split("/")[0];
      if ((from === "pages" && to === "shell") || (from === "components" && (to === "pages" || to === "shell")))
        problems.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
    }
    assert.ok(["shell", "components", "pages"].includes(from), `${relative(ROOT, file)} is in no layer`);
  }
  assert.deepEqual(problems, []);
});
