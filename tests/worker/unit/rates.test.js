// The rate counts an isolate keeps between D1 reads (platform/rates.js): what is stale, what the
// core decides with, and what it kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { current, forgetRates, keep, refresh, staleKeys } from "../../../worker/platform/rates.js";

test("counts are stale until read, fresh for 2 s, then stale again", () => {
  forgetRates();
  assert.deepEqual(staleKeys(["project:1", "ip:a"], 1000), ["project:1", "ip:a"]);
  refresh("project:1", { window_start_ms: 0, current: 3, previous: 1 }, 1000);
  assert.deepEqual(staleKeys(["project:1", "ip:a"], 2999), ["ip:a"]);
  assert.deepEqual(staleKeys(["project:1"], 3000), ["project:1"]);
});

test("the core decides with what was read and what it kept since; unknown keys count nothing", () => {
  forgetRates();
  assert.deepEqual(current("project:9"), { window_start_ms: 0, current: 0, previous: 0 });
  refresh("project:9", { window_start_ms: 60_000, current: 5, previous: 2 }, 0);
  keep("project:9", { window_start_ms: 60_000, current: 7, previous: 2 });
  assert.equal(current("project:9").current, 7);
  keep("ip:never-read", { window_start_ms: 0, current: 1, previous: 0 }); // kept only for keys read
  assert.equal(current("ip:never-read").current, 0);
  forgetRates();
  assert.equal(current("project:9").current, 0);
});
