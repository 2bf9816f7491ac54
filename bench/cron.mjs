// The per-minute cron's core work for anomaly evaluation, in wasm: one per-issue rule over 1,000
// active issues, each with the hours of history the shim hands over (the same hour of the four
// weeks before and the last 168 hours: what the estimator reads) in the dense form the shim sends
// and as pairs, beside the same 1,000 with all 672 hours of 28 days (how the history was handed
// over before) and one project-level candidate;
// with JSON.stringify of each input in the same run (the cost the shim pays to hand it over).
// Medians of 9 rounds.
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

// The hours issueAnomalyInputs selects: the same hour of earlier weeks, and the last 168.
const WEEK = 7 * 24 * HOUR;
const selected = (hours) => hours.filter(([h]) => h >= hour - WEEK || (hour - h) % WEEK === 0);

function input(candidates, scope) {
  return {
    now_ms: now, mode: "tick", project: "bench", dashboard_url: "", kinds: ["discord", "slack", "webhook"],
    rules: [{ id: 1, kind: "anomaly", threshold: 10, window_s: 600, cooldown_s: 3600, min_level: "error", sensitivity: "medium", scope }],
    candidates, states: [],
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, candidates, scope = "project") {
  const doc = input(candidates, scope);
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
    `${candidates.length} candidates × ${candidates[0].history?.length ?? candidates[0].history_ago.length / 2} hours, ${fired} fire`);
}

// 1,000 issues for one per-issue rule; one in a hundred with ten times its usual count.
const issues = Array.from({ length: 1000 }, (_, i) => ({ fingerprint: i.toString(16).padStart(32, "0"), rule_id: 1,
  title: `issue ${i}`, level: "error", history: history(i), history_since: hour - 28 * 24 * HOUR, count_in_window: i % 100 === 0 ? 60 : 1 }));
measure("1,000 issues, the hours the estimator reads", issues.map((c) => ({ ...c, history: selected(c.history) })), "issue");
measure("1,000 issues, the hours the estimator reads, dense", issues.map(({ history: hs, ...c }) => ({ ...c, history_base: hour,
  history_ago: selected(hs).flatMap(([h, n]) => [(hour - h) / HOUR, n]) })), "issue");
measure("1,000 issues, all 28 days", issues, "issue");
measure("1 project", [{ fingerprint: "", rule_id: 1, history: history(0), history_since: hour - 28 * 24 * HOUR, count_in_window: 60 }]);
