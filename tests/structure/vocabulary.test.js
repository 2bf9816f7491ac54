// One vocabulary: levels, the filterable fields, alert kinds and destination kinds are written out
// once, in the core (src/vocabulary.cc, src/event.cc, include/edgelog/store/segment.h), and reach
// the Worker as a generated module, the dashboard through GET /api/vocabulary and the client as
// its generated levels. This fails when one of those lists is written out again in the code.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { clientModule, coreVocabulary } from "../../scripts/vocabulary.mjs";
import { ROOT } from "../support/paths.mjs";

const vocabulary = coreVocabulary();

// Where the lists are defined, or generated from the core.
const DEFINED = new Set(["src/vocabulary.cc", "src/event.cc", "include/edgelog/vocabulary.h", "worker/platform/vocabulary.js",
  "clients/js/src/vocabulary.js"]);

function sources(dir, exts) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!["node_modules", "vendor"].includes(name)) out.push(...sources(path, exts));
    } else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

const files = [
  ...["src", "include", "bindings"].flatMap((d) => sources(join(ROOT, d), [".cc", ".h"])),
  ...["worker", "dashboard/js", "clients/js/src", "bindings", "scripts"].flatMap((d) => sources(join(ROOT, d), [".js", ".mjs"])),
  join(ROOT, "worker.js"),
].filter((f) => !DEFINED.has(relative(ROOT, f)));

// List literals ([…] or {…}) made of quoted strings only.
function stringLists(text) {
  const lists = [];
  for (const m of text.matchAll(/[[{]\s*((?:"[^"\n]*"|'[^'\n]*')(?:\s*,\s*(?:"[^"\n]*"|'[^'\n]*'))*)\s*,?\s*[\]}]/g))
    lists.push([...m[1].matchAll(/"([^"\n]*)"|'([^'\n]*)'/g)].map((x) => x[1] ?? x[2]));
  return lists;
}

// Object literals keyed by names: the distinct keys of each `{ key: …, key: … }` run.
function keyedNames(text, names) {
  const found = [];
  for (const m of text.matchAll(/\{([^{}]{0,2000})\}/g)) {
    const keys = new Set([...m[1].matchAll(/(?:^|[,{\s])([a-z_]+)\s*:/g)].map((x) => x[1]).filter((k) => names.includes(k)));
    found.push(keys.size);
  }
  return Math.max(0, ...found);
}

const LISTS = [
  { name: "levels", names: vocabulary.levels, atLeast: 4 },
  { name: "filterable fields", names: vocabulary.filter_fields, atLeast: 7 },
  { name: "alert kinds", names: vocabulary.alert_kinds.map((k) => k.name), atLeast: 3 },
  { name: "destination kinds", names: vocabulary.destination_kinds, atLeast: 3 },
];

test("the core's lists are not written out again in the Worker, the dashboard, the client or the core", () => {
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const { name, names, atLeast } of LISTS) {
      for (const list of stringLists(text))
        if (list.length >= atLeast && list.every((x) => names.includes(x)))
          problems.push(`${relative(ROOT, file)} writes out the ${name}: ${JSON.stringify(list)}`);
      if (keyedNames(text, names) >= Math.max(atLeast, 3))
        problems.push(`${relative(ROOT, file)} keys an object by the ${name}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the check finds a list written out again", () => {
  assert.equal(stringLists('const L = ["trace", "debug", "info", "warn"];')[0].length, 4);
  assert.equal(stringLists("{'discord', 'slack', 'webhook'}")[0].length, 3);
  assert.equal(keyedNames("const K = { spike: 1, new_issue: 2, regression: 3 };", ["spike", "new_issue", "regression"]), 3);
  assert.deepEqual(stringLists('["id", "ts", "source"]')[0], ["id", "ts", "source"]);
});

test("the client's generated levels are the core's", () => {
  assert.equal(readFileSync(join(ROOT, "clients", "js", "src", "vocabulary.js"), "utf8"), clientModule(vocabulary));
});
