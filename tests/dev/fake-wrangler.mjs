#!/usr/bin/env node
// A stand-in for wrangler's account commands (d1, kv, r2, queues, secrets, deploy) for testing
// scripts/domain.mjs offline: it keeps what "exists" in FAKE_WRANGLER_STATE and logs each call.
import { randomUUID, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const file = process.env.FAKE_WRANGLER_STATE;
const state = existsSync(file) ? JSON.parse(readFileSync(file, "utf8"))
  : { d1: [], kv: [], r2: [], queues: [], secrets: {}, calls: [] };
const argv = process.argv.slice(2).filter((a, i, all) => a !== "--config" && all[i - 1] !== "--config");
state.calls.push(argv.join(" "));
const save = () => writeFileSync(file, JSON.stringify(state, null, 2));
const envOf = () => argv[argv.indexOf("--env") + 1];
const [a, b, c] = argv;
let out = "";
if (a === "d1" && b === "list") out = JSON.stringify(state.d1);
else if (a === "d1" && b === "create") {
  const db = { uuid: randomUUID(), name: c };
  state.d1.push(db);
  out = `✅ Successfully created DB '${c}'\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "${c}"\ndatabase_id = "${db.uuid}"\n`;
} else if (a === "kv" && c === "list") out = JSON.stringify(state.kv);
else if (a === "kv" && c === "create") {
  const ns = { id: randomBytes(16).toString("hex"), title: argv[3] };
  state.kv.push(ns);
  out = `🌀 Creating namespace with title "${ns.title}"\n✨ Success!\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ns.id}"\n`;
} else if (a === "queues" && b === "list") out = `┌─────┬──────┐\n│ id │ name │\n${state.queues.map((q) => `│ x │ ${q} │`).join("\n")}\n└─────┘\n`;
else if (a === "queues" && b === "create") { state.queues.push(c); out = `✅ Created queue ${c}.`; }
else if (a === "r2" && b === "bucket" && c === "list") out = `Listing buckets...\n${state.r2.map((n) => `name:           ${n}\ncreation_date:  2026-01-01T00:00:00.000Z`).join("\n\n")}`;
else if (a === "r2" && b === "bucket" && c === "create") { state.r2.push(argv[3]); out = `Creating bucket '${argv[3]}'...\n✅ Created bucket '${argv[3]}'`; }
else if (a === "d1" && b === "migrations") out = "✅ Migrations applied";
else if (a === "secret" && b === "list") out = JSON.stringify(Object.keys(state.secrets[envOf()] ?? {}).map((name) => ({ name, type: "secret_text" })));
else if (a === "secret" && b === "put") {
  (state.secrets[envOf()] ??= {})[c] = readFileSync(0, "utf8");
  out = `✨ Success! Uploaded secret ${c}`;
} else if (a === "deploy") out = `Uploaded ${envOf()}\nDeployed`;
else {
  save();
  process.stderr.write(`fake wrangler: no answer for ${argv.join(" ")}\n`);
  process.exit(1);
}
save();
process.stdout.write(`${out}\n`);
