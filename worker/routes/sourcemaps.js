// /api/admin/projects/:slug/sourcemaps: source maps and minified files uploaded for a project — a
// tar (gzip or not) or a multipart form, with ?release= (or a form field); listed by release;
// deleted by release or one by one.
import { error, json } from "../platform/http.js";
import * as db from "../db/index.js";
import { projectOr404 } from "../services/projects.js";
import { UploadRefused, deleteSourceFiles, readUpload, storeUpload } from "../services/sourcemaps.js";

const MAX_RELEASE = 200;
const iso = (ms) => new Date(ms).toISOString();
const present = (f) => ({ id: f.id, url: f.url, kind: f.kind, release: f.release, debug_id: f.debug_id, bytes: f.bytes,
  stored_bytes: f.stored_bytes, created_at: iso(f.created_at) });

function releaseOf(value) {
  if (value === null || value === "") return { release: null };
  if (value.length > MAX_RELEASE || /[\u0000-\u001f]/.test(value))
    return { response: error(400, "bad_request", `release is at most ${MAX_RELEASE} characters, without control characters`, { field: "release" }) };
  return { release: value };
}

export async function uploadSourceMaps(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  let upload;
  try {
    upload = await readUpload(request);
  } catch (err) {
    if (err instanceof UploadRefused) return error(err.status, err.code, err.message);
    throw err;
  }
  const { release, response: bad } = releaseOf(new URL(request.url).searchParams.get("release") ?? upload.release);
  if (bad) return bad;
  let result;
  try {
    result = await storeUpload(env, project, { files: upload.files, release });
  } catch (err) {
    if (err instanceof UploadRefused) return error(err.status, err.code, err.message);
    throw err;
  }
  if (!result.files.length) {
    return error(400, "no_files_kept", result.refused.length ? "no file of the upload was kept: see refused"
      : "the upload holds no .js or .map file", { release, refused: result.refused, skipped: result.skipped });
  }
  return json(201, { release, ...result });
}

export async function listSourceMaps(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const params = new URL(request.url).searchParams;
  const releases = (await db.sourceReleases(env.DB, project.id)).map((r) => ({ ...r, last_upload: iso(r.last_upload) }));
  const files = params.has("release")
    ? await db.sourceFiles(env.DB, project.id, { release: params.get("release") || null })
    : await db.sourceFiles(env.DB, project.id, { limit: 200 });
  return json(200, { releases, files: files.map(present) });
}

export async function deleteSourceMaps(request, env, _ctx, { slug }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  const params = new URL(request.url).searchParams;
  if (!params.has("release"))
    return error(400, "bad_request", "name the release whose files go (?release=1.4.2, or ?release= for those without one)", { field: "release" });
  const deleted = await deleteSourceFiles(env, project, { release: params.get("release") || null });
  return json(200, { deleted });
}

export async function deleteSourceMap(_request, env, _ctx, { slug, id }) {
  const { project, response } = await projectOr404(env, slug);
  if (response) return response;
  if (!/^\d+$/.test(id)) return error(404, "not_found", `no file ${id}`);
  const deleted = await deleteSourceFiles(env, project, { id: Number(id) });
  return deleted ? json(200, { deleted }) : error(404, "not_found", `no file ${id}`);
}
