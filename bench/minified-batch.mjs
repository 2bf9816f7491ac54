// The random-stack batch (bench/out/batch-random.json: 30 % of events with 20-frame stacks) with
// those stacks made minified browser stacks: every frame in the bundle bench/sourcemaps.mjs builds
// (bench/out/sourcemaps/bundle.js, about 2 MB of map), at a random position of its code, served
// as https://app.example.com/assets/bundle.js, release "bench". Written to
// bench/out/batch-minified.json for `node bench/e2e.mjs --batch bench/out/batch-minified.json
// --maps bench/out/sourcemaps`.
import { readFileSync, writeFileSync } from "node:fs";

const bundle = readFileSync("bench/out/sourcemaps/bundle.js", "utf8").split("\n");
const batch = JSON.parse(readFileSync("bench/out/batch-random.json", "utf8"));
let seed = 42;
const random = (n) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const code = bundle.map((text, i) => ({ line: i + 1, length: text.length })).filter((l) => l.length > 1000);
const frame = () => {
  const l = code[random(code.length)];
  const name = String.fromCharCode(97 + random(26)) + (random(3) ? "" : String.fromCharCode(65 + random(26)));
  return `    at ${name} (https://app.example.com/assets/bundle.js:${l.line}:${1 + random(l.length)})`;
};
let minified = 0;
for (const event of batch.events) {
  if (!event.stack) continue;
  event.stack = [event.stack.split("\n")[0], ...Array.from({ length: 20 }, frame)].join("\n");
  event.release = "bench";
  minified++;
}
writeFileSync("bench/out/batch-minified.json", JSON.stringify(batch));
console.log(`bench/out/batch-minified.json: ${batch.events.length} events, ${minified} with minified 20-frame stacks`);
