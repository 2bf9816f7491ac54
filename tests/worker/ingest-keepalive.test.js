// A refused body must not break the next request on the same keep-alive connection: the Worker
// reads a too-large body to its end instead of leaving it unread (real HTTP, one socket).
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { sign, startWorker } from "../support/harness.js";

let w, demo, agent;
before(async () => {
  w = await startWorker({ http: true });
  demo = await w.createProject("keepalive");
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});
after(async () => {
  agent?.destroy();
  await w?.dispose();
});

function post(body, { chunked = false } = {}) {
  const url = new URL(w.url);
  return new Promise((resolve, reject) => {
    const headers = { "Content-Type": "application/json", "X-Project-Key": demo.key, "X-Signature": sign(demo.secret, body) };
    if (!chunked) headers["Content-Length"] = Buffer.byteLength(body);
    const req = http.request({ host: url.hostname, port: url.port, path: "/api/log", method: "POST", agent, headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, json: JSON.parse(text), reused: req.reusedSocket }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

const big = JSON.stringify([{ level: "info", message: "x", ctx: { pad: "p".repeat(600 * 1024) } }]);

for (const chunked of [false, true]) {
  test(`after a 413 for a ${chunked ? "chunked" : "Content-Length"} body, the same connection serves the next request`, async () => {
    const refused = await post(big, { chunked });
    assert.equal(refused.status, 413);
    assert.equal(refused.json.error.code, "body_too_large");
    const next = await post(JSON.stringify([{ level: "info", message: `after the refusal ${chunked}` }]));
    assert.equal(next.status, 202);
    assert.equal(next.reused, true, "the keep-alive socket was reused");
    assert.equal(next.json.accepted, 1);
  });
}
