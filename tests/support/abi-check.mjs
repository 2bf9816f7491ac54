// Checks both sides of the core's wire against schema/abi.json: wraps the Worker's one Core so every
// request the shim sends and every answer the core returns is validated, and records what was
// seen. Suites that exercise the shim import it and assert violations() is empty.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { core } from "../../worker/platform/core.js";
import { ROOT } from "./paths.mjs";

const schema = JSON.parse(readFileSync(join(ROOT, "schema", "abi.json"), "utf8"));
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(schema);
const check = (name) => ajv.getSchema(`abi.json#/$defs/${name}`);

const seen = new Set();
const problems = [];

function validate(name, value) {
  const valid = check(name);
  if (!valid) return;
  seen.add(name);
  if (!valid(value)) problems.push(`${name}: ${ajv.errorsText(valid.errors)} in ${JSON.stringify(value).slice(0, 300)}`);
}

// The ingest answer's JSON parts, by name.
function validateParts(decision) {
  const parts = { minutes: [], "issues@segment": [] };
  for (const s of decision.segments) {
    parts["issues@segment"].push(...JSON.parse(s.issues));
    parts.minutes.push(...JSON.parse(s.minutes));
  }
  for (const name of ["event_ids", "issues", "ledger"]) if (decision.writes[name] !== undefined) parts[name] = JSON.parse(decision.writes[name]);
  validate("ingest.parts", parts);
}

const METHODS = { prune: "prune", rows: "rows", forward: "forward", histogram: "histogram", facets: "facets", aggregate: "aggregate",
  rulesPreview: "rules_preview", recode: "recode", baseline: "baseline", trending: "trending", suggest: "suggest", suspect: "suspect",
  alerts: "alerts", digest: "digest", ticket: "ticket", symbolicate: "symbolicate" };

for (const [method, name] of Object.entries(METHODS)) {
  const real = core[method].bind(core);
  core[method] = (request, texts) => {
    validate(`${name}.request`, request);
    const answer = real(request, texts);
    validate(`${name}.answer`, answer);
    return answer;
  };
}
{
  const real = core.ingest.bind(core);
  core.ingest = (request, wire, body, project) => {
    validate("ingest.request", project ? { ...request, project: { id: project.id, generation: 0 } } : request);
    if (project) validate("settings", project.settings);
    const decision = real(request, wire, body, project);
    validate("ingest.answer", decision.header);
    if (decision.header.status === 202) validateParts(decision);
    const without = decision.without;
    decision.without = (ids) => {
      validate("ingest_without.request", { event_ids: ids });
      const next = without(ids);
      validate("ingest.answer", next.header);
      return next;
    };
    return decision;
  };
}
{
  const real = core.checkSourceMap.bind(core);
  core.checkSourceMap = (bytes) => {
    const answer = real(bytes);
    validate("sourcemap_check.answer", answer);
    return answer;
  };
}
{
  const real = core.loadSourceMap.bind(core);
  core.loadSourceMap = (key, map, bundle) => {
    const answer = real(key, map, bundle);
    validate("sourcemap_load.answer", answer);
    return answer;
  };
}
{
  const real = core.vocabulary.bind(core);
  core.vocabulary = () => {
    const answer = real();
    validate("vocabulary.answer", answer);
    return answer;
  };
}

/** Every schema violation met so far. */
export const violations = () => [...problems];
/** The operations (request or answer definitions) met so far. */
export const operationsSeen = () => [...seen];
