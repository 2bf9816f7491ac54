// The per-minute cron's core work for anomaly evaluation, in wasm: one decision over 1,000
// candidates each carrying 28 days of hourly history (what per-issue evaluation of 1,000 active
// issues would hand the core), and over one project-level candidate, beside JSON.stringify of the
// same input in the same run (the cost the shim pays to hand it over). Medians of 9 rounds.
// Usage: node bench/cron.mjs
import { readFileSync } from "node:fs";
import { Core } from "../bindings/loader.js";

const HOUR = 3_600_000;
const core = new Core(new WebAssembly.Module(readFileSync(new URL("../wasm/edgelog.wasm", import.meta.url))));
const now = Date.UTC(2026, 10, 30, 3, 20); // a Monday, 03:20 UTC
const hour = now - (now % HOUR);

function history(seed) {
  const out = [];
  for (let k = 28 * 24; k >= 1; k--) {
    const h = hour - k * HOUR;
    const hod = (h / HOUR) % 24;
    out.push([h, (hod >= 9 && hod < 18 ? 40 : 4) + ((k * 7 + seed) % 5)]);
  }
  return out;
}

function input(candidates) {
  return {
    now_ms: now, mode: "tick", project: "bench", dashboard_url: "", kinds: ["discord", "slack", "webhook"],
    rules: [{ id: 1, kind: "anomaly", threshold: 10, window_s: 600, cooldown_s: 3600, min_level: "error", sensitivity: "medium" }],
    candidates, states: [],
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, candidates) {
  const doc = input(candidates);
  const runs = [], encodes = [];
  let fired = 0;
  for (let round = 0; round < 9; round++) {
    const t0 = process.cpuUsage();
    const text = JSON.stringify(doc);
    const t1 = process.cpuUsage();
    const { decisions } = core.alerts(doc);
    const t2 = process.cpuUsage();
    fired = decisions.filter((d) => d.action === "fire").length;
    encodes.push((t1.user + t1.system - t0.user - t0.system) / 1000);
    runs.push((t2.user + t2.system - t1.user - t1.system) / 1000);
    if (!text.length) throw new Error("empty");
  }
  console.log(`${label}: core ${median(runs).toFixed(2)} ms CPU per run (JSON.stringify of its input ${median(encodes).toFixed(2)} ms), ` +
    `${candidates.length} candidates × ${candidates[0].history.length} hours, ${fired} fire`);
}

// 1,000 project-level candidates for one rule (the shape per-issue evaluation would take); one in
// a hundred with ten times its usual count.
const many = Array.from({ length: 1000 }, (_, i) => ({ fingerprint: "", rule_id: 1, history: history(i),
  history_since: hour - 28 * 24 * HOUR, count_in_window: i % 100 === 0 ? 60 : 1 }));
measure("1,000 scopes", many);
measure("1 project", many.slice(0, 1));
