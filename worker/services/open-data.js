// Logs as open data: each project's stored events, in arrival order after its export cursor, as
// Parquet files on R2 in a Hive layout by the hour of their time
// (parquet/project=<slug>/date=<YYYY-MM-DD>/hour=<HH>/<first id>-<last id>.parquet), zstd-compressed
// by the core's zstd; and, where the deployment binds a Cloudflare Pipeline (EVENTS_PIPELINE), the
// same rows sent to it for an Iceberg table. The core writes the columns (el_forward, format
// "columns"); hyparquet-writer lays them out as Parquet.
//
// Nothing is exported twice: a file is recorded 'writing' before its upload and 'stored' in the
// transaction that moves the cursor past its events; an export that stopped between leaves files
// the next export of the project deletes before it writes them again. One export runs at a time
// (a lease in D1). Pipelines deliver at least once: a row sent again after such a stop has the same
// `id`.
import * as db from "../db/index.js";
import { deleteObjects, putObject } from "../platform/cold.js";
import { core } from "../platform/core.js";
import { VERSION } from "../platform/version.js";
import { ByteWriter, parquetWrite } from "../vendor/hyparquet-writer.js";
import { forwardBatch } from "./scan.js";

const HOUR = 3_600_000;
const BATCH_EVENTS = 20_000;
const BATCH_BYTES = 16 << 20;   // the columns' JSON per batch
const LEASE_MS = 10 * 60_000;
const PIPELINE_CHUNK = 500;     // rows per Pipeline send
const ZSTD_LEVEL = 3;           // zstd's default: most of the ratio of 9 at a third of its time on log text

/** The Parquet schema: [column, Parquet type]; the core's columns carry these names. Strings are
 *  UTF-8 (null when absent); ctx, tags and extra are JSON text. */
export const OPEN_DATA_COLUMNS = [
  ["id", "INT64"], ["ts", "TIMESTAMP"], ["received_at", "TIMESTAMP"], ["level", "STRING"], ["message", "STRING"],
  ["fingerprint", "STRING"], ["template", "STRING"], ["source", "STRING"], ["env", "STRING"], ["component", "STRING"],
  ["endpoint", "STRING"], ["source_type", "STRING"], ["error_type", "STRING"], ["exception_type", "STRING"],
  ["release", "STRING"], ["user_id", "STRING"], ["request_id", "STRING"], ["session_id", "STRING"], ["event_id", "STRING"],
  ["action", "STRING"], ["hint", "STRING"], ["stack", "STRING"], ["ctx", "STRING"], ["tags", "STRING"], ["extra", "STRING"],
];

const BIGINT = new Set(["id", "ts", "received_at"]);
/** Columns every row has (the rest are null when absent); schema/pipeline-stream.json marks the same. */
export const REQUIRED_COLUMNS = new Set(["id", "ts", "received_at", "level", "message", "fingerprint"]);

/** One Parquet file of the rows at `indices` of the core's `columns`. */
export function parquetFile(columns, indices) {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: OPEN_DATA_COLUMNS.map(([name, type]) => ({
      name, type, nullable: !REQUIRED_COLUMNS.has(name),
      data: indices.map((i) => (BIGINT.has(name) ? BigInt(columns[name][i]) : columns[name][i] ?? (REQUIRED_COLUMNS.has(name) ? "" : null))),
    })),
    codec: "ZSTD",
    compressors: { ZSTD: (bytes) => core.zstd(bytes, ZSTD_LEVEL) },
    rowGroupSize: BATCH_EVENTS,
    createdBy: `edgelog ${VERSION}`,
    kvMetadata: [{ key: "edgelog.schema", value: "1" }],
  });
  return new Uint8Array(writer.getBuffer());
}

const pad = (n) => String(n).padStart(2, "0");
function keyOf(slug, hour, first, last) {
  const d = new Date(hour);
  return `parquet/project=${slug}/date=${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/${first}-${last}.parquet`;
}

/** Exports every project's events stored since its cursor, until caught up or the deadline.
 *  Answers {files, rows, bytes, projects, pipeline_rows, remaining} (skipped without R2, when
 *  turned off, or while another export holds the lease). */
export async function exportOpenData(env, { now, deadline }) {
  if (!env.COLD) return { skipped: "no R2 bucket is bound (COLD)" };
  if (env.EDGELOG_OPEN_DATA === "off") return { skipped: "EDGELOG_OPEN_DATA is off" };
  if (!(await db.takeExportLease(env.DB, { now: Date.now(), until: Date.now() + LEASE_MS })))
    return { skipped: "another export is running" };
  const report = { files: 0, rows: 0, bytes: 0, projects: [], remaining: false };
  try {
    for (const project of await db.liveProjects(env.DB)) {
      const entry = { project: project.slug, rows: 0, files: 0 };
      const stale = await db.unfinishedExports(env.DB, project.id);
      if (stale.length) {
        await db.forgetExports(env.DB, stale);
        await deleteObjects(env.COLD, stale);
      }
      let cursor = await db.exportCursor(env.DB, project.id);
      for (;;) {
        if (Date.now() >= deadline) {
          report.remaining = true;
          break;
        }
        const batch = await forwardBatch(env, { project, after: cursor, filter: {}, limit: BATCH_EVENTS,
          forward: { format: "columns", max_bytes: BATCH_BYTES } });
        const files = [];
        if (batch.count > 0) {
          const columns = JSON.parse(batch.body);
          const hours = new Map();
          columns.ts.forEach((ts, i) => {
            const hour = ts - (((ts % HOUR) + HOUR) % HOUR);
            (hours.get(hour) ?? hours.set(hour, []).get(hour)).push(i);
          });
          for (const [hour, indices] of hours) {
            const ids = indices.map((i) => columns.id[i]);
            const body = parquetFile(columns, indices);
            files.push({ key: keyOf(project.slug, hour, Math.min(...ids), Math.max(...ids)), hour, rows: indices.length,
              bytes: body.length, body });
          }
          await db.beginExports(env.DB, { projectId: project.id, now: Date.now(),
            files: files.map(({ key, hour, rows, bytes }) => ({ key, hour, rows, bytes })) });
          for (const f of files) await putObject(env.COLD, f.key, f.body, { project: project.slug, rows: String(f.rows) });
          if (env.EVENTS_PIPELINE) report.pipeline_rows = (report.pipeline_rows ?? 0) + await sendToPipeline(env, columns);
        }
        if (batch.last !== cursor) {
          await env.DB.batch(db.finishExportStatements(env.DB, { projectId: project.id, from: cursor, to: batch.last,
            keys: files.map((f) => f.key) }));
          cursor = batch.last;
        }
        for (const f of files) {
          entry.rows += f.rows;
          entry.files++;
          report.bytes += f.bytes;
        }
        if (batch.caught_up) break;
      }
      if (entry.rows) report.projects.push(entry);
      report.rows += entry.rows;
      report.files += entry.files;
      if (report.remaining) break;
    }
  } finally {
    await db.releaseExportLease(env.DB);
  }
  return report;
}

// The rows as records (the Parquet columns by name; times as epoch ms), in chunks.
async function sendToPipeline(env, columns) {
  const n = columns.id.length;
  for (let start = 0; start < n; start += PIPELINE_CHUNK) {
    const records = [];
    for (let i = start; i < Math.min(n, start + PIPELINE_CHUNK); i++)
      records.push(Object.fromEntries(OPEN_DATA_COLUMNS.map(([name]) => [name, columns[name][i] ?? null])));
    await env.EVENTS_PIPELINE.send(records);
  }
  return n;
}

/** Deletes the project's exported files of hours past `before` (all of them without a bound), in
 *  chunks until done or the deadline: {deleted, remaining}. */
export async function deleteExports(env, { projectId, before = null, deadline = Infinity }) {
  const out = { deleted: 0, remaining: false };
  if (!env.COLD) return out;
  for (;;) {
    if (Date.now() >= deadline) {
      out.remaining = true;
      return out;
    }
    const keys = await db.forgetOldExports(env.DB, { projectId, before, limit: 500 });
    await deleteObjects(env.COLD, keys);
    out.deleted += keys.length;
    if (keys.length < 500) return out;
  }
}
