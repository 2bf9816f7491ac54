// /api/admin/projects/:slug/workers: the producer Workers whose Tail Worker is edgelog, mapped to
// this project by script name ('*': any producer mapped nowhere else), with the share of their
// console lines below warn to keep; and the producers seen but not mapped, to map with one click.
import * as db from "../db/index.js";
import { error, json, readJsonObject } from "../platform/http.js";
import { projectOr404 } from "../services/projects.js";
import { ANY_WORKER, forgetTailRoutes } from "../services/tail.js";

// A Worker's name as Cloudflare allows it (lowercase letters, digits, dashes; 63 at most), or '*'.
const SCRIPT = /^(\*|[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?)$/;

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const present = (row) => ({
  script: row.script, project: row.project ?? null, log_sample: row.log_sample,
  created_at: iso(row.created_at), last_seen: iso(row.last_seen), events: row.events, dropped: row.dropped,
});

function sampleOf(value) {
  if (value === undefined) return { sample: 1 };
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    return { response: error(400, "bad_request", "log_sample is a number from 0 to 1 (the share of lines below warn kept)", { field: "log_sample" }) };
  return { sample: value };
}

export async function listTailWorkers(_request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const rows = await db.tailWorkersOf(env.DB, project.id);
  return json(200, {
    // The name a producer's tail_consumers names: this deployment's Worker.
    consumer: env.EDGELOG_WORKER_NAME || "edgelog",
    workers: rows.filter((r) => r.project_id !== null).map(present),
    unmapped: rows.filter((r) => r.project_id === null).map(present),
  });
}

export async function mapTailWorker(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { script } = body.value;
  if (typeof script !== "string" || !SCRIPT.test(script))
    return error(400, "bad_request", "script is a Worker's name (lowercase letters, digits, - and _; 63 at most) or *", { field: "script" });
  const { sample, response: bad } = sampleOf(body.value.log_sample);
  if (bad) return bad;
  const existing = await db.tailWorker(env.DB, script);
  const result = await db.mapTailWorker(env.DB, { script, projectId: project.id, logSample: sample, now: Date.now() });
  if (!result.meta.changes) {
    return error(409, "worker_mapped_elsewhere", `${script === ANY_WORKER ? "* (any Worker)" : `the Worker ${script}`} is mapped to the project ${existing?.project ?? "another project"}; remove it there first`,
      { field: "script" });
  }
  forgetTailRoutes();
  return json(existing?.project_id === project.id ? 200 : 201, { worker: present(await db.tailWorker(env.DB, script)) });
}

export async function updateTailWorker(request, env, _ctx, { slug, script }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const body = await readJsonObject(request);
  if (body.response) return body.response;
  const { sample, response: bad } = sampleOf(body.value.log_sample);
  if (bad) return bad;
  const result = await db.setTailSample(env.DB, { script, projectId: project.id, logSample: sample });
  if (!result.meta.changes) return error(404, "not_found", `no Worker ${script} is mapped to this project`);
  forgetTailRoutes();
  return json(200, { worker: present(await db.tailWorker(env.DB, script)) });
}

export async function unmapTailWorker(_request, env, _ctx, { slug, script }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const result = await db.unmapTailWorker(env.DB, { script, projectId: project.id });
  if (!result.meta.changes) return error(404, "not_found", `no Worker ${script} is mapped to this project`);
  forgetTailRoutes();
  return json(200, { deleted: script });
}
