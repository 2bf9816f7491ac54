// How segment bytes are best bound to a D1 statement: the same segments inserted as a BLOB
// (Uint8Array), as base64 TEXT and as hex TEXT, interleaved, into Miniflare's local D1; and read
// back. Medians per segment. Usage: node bench/binding.mjs [--rounds 5]
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { Miniflare } from "miniflare";
import { COMPATIBILITY_DATE } from "../tests/support/harness.js";
import { Core } from "../bindings/loader.js";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 5;
const body = readFileSync("bench/out/batch.json");
const core = new Core(new WebAssembly.Module(readFileSync("wasm/edgelog.wasm")));
const signature = createHmac("sha256", "k").update(body).digest("hex");
const decision = core.ingest({ now_ms: Date.now(), signature, macs: { body: [signature], stamped_t: "", stamped: [] },
  settings: { max_body_bytes: 1 << 20, max_events: 1000 } }, body);
decision.release();
const b64 = decision.segments[0].data;
const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hex = Buffer.from(bytes).toString("hex");
const forms = { blob: bytes, base64: b64, hex };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const mf = new Miniflare({ modules: true, script: "export default {}", d1Databases: ["DB"], compatibilityDate: COMPATIBILITY_DATE });
try {
  const db = await mf.getD1Database("DB");
  await db.exec("CREATE TABLE s (id INTEGER PRIMARY KEY, data BLOB)");
  const times = Object.fromEntries(Object.keys(forms).map((k) => [k, { insert: [], read: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, value] of Object.entries(forms)) {
      for (let i = 0; i < 40; i++) {
        let t0 = performance.now();
        const { meta } = await db.prepare("INSERT INTO s (data) VALUES (?1)").bind(value).run();
        times[name].insert.push(performance.now() - t0);
        t0 = performance.now();
        await db.prepare("SELECT data FROM s WHERE id = ?1").bind(meta.last_row_id).first();
        times[name].read.push(performance.now() - t0);
      }
    }
  }
  console.log(`one segment of bench/out/batch.json (${bytes.length} bytes), ${rounds * 40} inserts and reads each, medians`);
  console.log("| bound as | value bytes | insert ms | read back ms |\n|--|--:|--:|--:|");
  for (const [name, t] of Object.entries(times))
    console.log(`| ${name} | ${name === "blob" ? bytes.length : forms[name].length} | ${median(t.insert).toFixed(2)} | ${median(t.read).toFixed(2)} |`);
} finally {
  await mf.dispose();
}
