// Local fakes of the services edgelog talks to, on 127.0.0.1: GitHub's and Jira Cloud's issue
// APIs (create and search) and an Elasticsearch `_bulk` endpoint. Each records what it was sent.
import { createServer } from "node:http";

function serve(handler) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      const request = { method: req.method, path: req.url, headers: req.headers, body };
      requests.push(request);
      const answer = handler(request) ?? { status: 404, body: { message: "Not Found" } };
      if (answer.hangUp) return res.destroy(); // the work was done, the answer is lost
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    base: `http://127.0.0.1:${server.address().port}`, requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  })));
}

/** GitHub: POST /repos/:owner/:repo/issues, GET /search/issues?q=. `fail` answers the next
 *  creates with that status; `loseAnswers` creates, then hangs up. */
export async function startFakeGitHub() {
  const issues = [];
  const state = { fail: [], loseAnswers: 0 };
  const fake = await serve((r) => {
    const create = /^\/repos\/([\w.-]+\/[\w.-]+)\/issues$/.exec(r.path);
    if (create && r.method === "POST") {
      const status = state.fail.shift();
      if (status) return { status, body: { message: "Server Error" } };
      const input = JSON.parse(r.body);
      const number = issues.length + 1;
      issues.push({ repo: create[1], number, ...input, html_url: `https://github.example/${create[1]}/issues/${number}` });
      if (state.loseAnswers > 0) {
        state.loseAnswers--;
        return { hangUp: true };
      }
      return { status: 201, body: { number, html_url: issues[number - 1].html_url } };
    }
    if (r.method === "GET" && r.path.startsWith("/search/issues?")) {
      const q = new URL(r.path, "http://x").searchParams.get("q");
      const marker = /"([^"]+)"/.exec(q)?.[1] ?? "";
      const repo = /repo:(\S+)/.exec(q)?.[1];
      const items = issues.filter((i) => i.repo === repo && i.body.includes(marker)).map((i) => ({ number: i.number, html_url: i.html_url }));
      return { status: 200, body: { total_count: items.length, items } };
    }
    return null;
  });
  return Object.assign(fake, { issues, state, creates: () => fake.requests.filter((r) => r.method === "POST") });
}

/** Jira Cloud: POST /rest/api/2/issue, GET /rest/api/3/search/jql?jql=labels = "…". */
export async function startFakeJira() {
  const issues = [];
  const state = { fail: [] };
  const fake = await serve((r) => {
    if (r.method === "POST" && r.path === "/rest/api/2/issue") {
      const status = state.fail.shift();
      if (status) return { status, body: { errorMessages: ["down"] } };
      const { fields } = JSON.parse(r.body);
      if (!fields?.project?.key || !fields.summary) return { status: 400, body: { errors: { summary: "required" } } };
      const key = `${fields.project.key}-${issues.length + 1}`;
      issues.push({ key, fields });
      return { status: 201, body: { id: String(10000 + issues.length), key, self: `${fake.base}/rest/api/2/issue/${key}` } };
    }
    if (r.method === "GET" && r.path.startsWith("/rest/api/3/search/jql?")) {
      const jql = new URL(r.path, "http://x").searchParams.get("jql");
      const label = /labels = "([^"]+)"/.exec(jql)?.[1];
      return { status: 200, body: { issues: issues.filter((i) => i.fields.labels?.includes(label)).map((i) => ({ key: i.key })) } };
    }
    return null;
  });
  return Object.assign(fake, { issues, state, creates: () => fake.requests.filter((r) => r.method === "POST") });
}

/** Elasticsearch `_bulk`: documents by index and _id; a second create of an _id answers 409 per
 *  item. `fail` answers the next requests with that status; a document whose message contains
 *  "unmappable" is refused (400). */
export async function startFakeBulk() {
  const docs = new Map(); // "index/_id" → document
  const state = { fail: [] };
  const fake = await serve((r) => {
    if (r.method !== "POST") return null;
    const status = state.fail.shift();
    if (status) return { status, body: { error: "unavailable" } };
    if (!r.path.endsWith("/_bulk")) return { status: 200, body: {} }; // a generic endpoint
    if (!r.body.endsWith("\n")) return { status: 400, body: { error: "The bulk request must be terminated by a newline [\\n]" } };
    const lines = r.body.slice(0, -1).split("\n").map((l) => JSON.parse(l));
    const items = [];
    for (let i = 0; i < lines.length; i += 2) {
      const { _index, _id } = lines[i].create;
      const key = `${_index}/${_id}`;
      if (String(lines[i + 1].message).includes("unmappable"))
        items.push({ create: { _index, _id, status: 400, error: { type: "document_parsing_exception", reason: "failed to parse field [message]" } } });
      else if (docs.has(key))
        items.push({ create: { _index, _id, status: 409, error: { type: "version_conflict_engine_exception" } } });
      else {
        docs.set(key, lines[i + 1]);
        items.push({ create: { _index, _id, status: 201, result: "created" } });
      }
    }
    return { status: 200, body: { took: 1, errors: items.some((i) => i.create.status >= 300), items } };
  });
  return Object.assign(fake, { docs, state, bulks: () => fake.requests.filter((r) => r.path.endsWith("/_bulk")) });
}
