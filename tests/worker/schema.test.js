// The JSON Schemas in schema/ describe what the Worker accepts and answers.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import { ROOT, startWorker } from "../support/harness.js";

const load = (name) => JSON.parse(readFileSync(join(ROOT, "schema", name), "utf8"));
const ajv = new Ajv2020({ allErrors: true, formats: { "date-time": true } });
ajv.addSchema(load("event.schema.json"), "event.schema.json");
const validBatch = ajv.compile(load("batch.schema.json"));
const validAnswer = ajv.compile(load("answer.schema.json"));

let w, p;
before(async () => {
  w = await startWorker();
  p = await w.createProject("schema");
});
after(() => w?.dispose());

test("golden bodies the core accepts whole conform to the batch schema", () => {
  const dir = join(ROOT, "schema", "examples");
  let checked = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".input.json"))) {
    const input = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const expected = JSON.parse(readFileSync(join(dir, file.replace(".input", ".expected")), "utf8"));
    if (typeof input.body !== "object" || expected.header.rejected?.length || expected.status !== 202) continue;
    assert.ok(validBatch(input.body), `${file}: ${ajv.errorsText(validBatch.errors)}`);
    checked++;
  }
  assert.ok(checked >= 1);
});

test("bodies the schema refuses are refused by the Worker too", async () => {
  for (const body of [42, "text", { events: 3 }, [{ level: "info" }], [{ message: "x" }]]) {
    assert.equal(validBatch(body), false, JSON.stringify(body));
    const res = await w.send(p, body);
    assert.ok(res.status >= 400, `${JSON.stringify(body)} → ${res.status}`);
  }
});

test("every answer of the ingest route conforms to the answer schema", async () => {
  const answers = await Promise.all([
    w.send(p, [{ level: "info", message: "ok" }, { level: "loud", message: "bad" }]),
    w.send(p, [{ message: "no level" }]),
    w.send(p, "{"),
    w.send(p, [{ level: "info", message: "x" }], { signature: "00" }),
    w.fetch("/api/log", { method: "POST", body: "[]" }),
  ]);
  for (const res of answers) {
    const body = await res.json();
    assert.ok(validAnswer(body), `${res.status} ${JSON.stringify(body)}: ${ajv.errorsText(validAnswer.errors)}`);
  }
});
