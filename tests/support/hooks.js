// A webhook receiver on 127.0.0.1 for the alert tests, and a bounded wait.

import { createServer } from "node:http";

/** Records every request; `plan` answers the next ones ({status, body, headers}), else 204. */
export function startHook() {
  const received = [];
  const plan = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      received.push({ path: req.url, headers: req.headers, body, json: JSON.parse(body || "null"), at: Date.now() });
      const next = plan.shift() ?? { status: 204 };
      res.writeHead(next.status, { "Content-Type": "application/json", ...(next.headers ?? {}) });
      res.end(next.body ?? "");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`, received, plan,
    close: () => new Promise((r) => server.close(r)),
    on: (path) => received.filter((r) => r.path === path),
  })));
}

/** Waits until `check()` holds, at most `ms`; answers whether it did. */
export async function until(check, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
