// Logs as open data: the hourly export writes each project's events as zstd Parquet files on R2 in
// a Hive layout by hour, read back here by two independent readers (hyparquet with its zstd, and
// DuckDB with hive partitioning): every stored event once, its fields as the API answers them.
// Runs again export only what is new; an export stopped mid-way leaves no duplicate; a Pipeline
// gets the same rows; the purge and a project's deletion take the files.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { OPEN_DATA_COLUMNS, REQUIRED_COLUMNS, exportOpenData } from "../../worker/services/open-data.js";
import { ROOT, startWorker } from "../support/harness.js";
import { allEvents, bucketWithPut, seedSegments } from "../support/segments.js";

const HOUR = 3_600_000;
const T = Math.floor(Date.now() / HOUR) * HOUR; // the current hour's start

async function files(bucket, prefix = "parquet/") {
  const out = new Map();
  for (const o of (await bucket.list({ prefix })).objects)
    out.set(o.key, new Uint8Array(await (await bucket.get(o.key)).arrayBuffer()));
  return out;
}

async function rowsOf(bytes) {
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), compressors });
}

test("the Pipeline stream's schema file names the Parquet columns, with their types", () => {
  const { fields } = JSON.parse(readFileSync(join(ROOT, "schema", "pipeline-stream.json"), "utf8"));
  const kind = { INT64: "int64", TIMESTAMP: "timestamp", STRING: "string" };
  assert.deepEqual(fields.map((f) => [f.name, f.type, f.required]),
    OPEN_DATA_COLUMNS.map(([name, type]) => [name, kind[type], REQUIRED_COLUMNS.has(name)]));
});

describe("logs as open data", () => {
  let w, bucket;
  const sent = [];
  const env = () => ({ DB: w.db, COLD: bucket, EVENTS_PIPELINE: { send: async (records) => { sent.push(...records); } } });
  before(async () => {
    w = await startWorker();
    bucket = await w.mf.getR2Bucket("COLD");
  });
  after(() => w?.dispose());

  test("every event once, per project and hour, zstd Parquet that hyparquet and DuckDB read alike", async () => {
    const p = await w.createProject("lake");
    // Three hours of events (each request's events are 1 s apart, ending at its receive time).
    for (const hoursAgo of [2, 1, 0]) await seedSegments(w, p.project, { requests: 2, perRequest: 30, receivedAt: T - hoursAgo * HOUR + 50_000, version: 2 });
    const stored = await allEvents(w, "lake");
    assert.equal(stored.size, 180);

    const report = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.open_data;
    assert.equal(report.rows, 180, JSON.stringify(report));
    const written = await files(bucket);
    const hourOf = (ts) => new Date(ts - (ts % HOUR));
    const expectedKeys = new Set([...stored.values()].map((e) => {
      const d = hourOf(Date.parse(JSON.parse(e).ts));
      return `parquet/project=lake/date=${d.toISOString().slice(0, 10)}/hour=${d.toISOString().slice(11, 13)}/`;
    }));
    assert.deepEqual(new Set([...written.keys()].map((k) => k.replace(/[^/]+$/, ""))), expectedKeys);
    assert.ok(written.size >= 3 && written.size === report.files);

    // hyparquet (and hyparquet-compressors' zstd): every event once, its fields as the API answers them.
    const byId = new Map();
    for (const [key, bytes] of written) {
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      assert.ok(meta.row_groups.every((g) => g.columns.every((c) => c.meta_data.codec === "ZSTD")), key);
      for (const row of await rowsOf(bytes)) {
        assert.ok(!byId.has(Number(row.id)), `event ${row.id} exported twice`);
        byId.set(Number(row.id), { ...row, key });
      }
    }
    assert.deepEqual([...byId.keys()].sort((a, b) => a - b), [...stored.keys()].sort((a, b) => a - b));
    for (const [id, text] of stored) {
      const api = JSON.parse(text);
      const row = byId.get(id);
      assert.equal(row.ts.toISOString(), api.ts);
      assert.equal(row.received_at.toISOString(), api.received_at);
      for (const f of ["level", "message", "fingerprint", "source", "request_id", "stack"]) assert.equal(row[f] ?? undefined, api[f], `${f} of ${id}`);
      assert.deepEqual(JSON.parse(row.ctx), api.ctx);
      assert.ok(row.key.includes(`hour=${api.ts.slice(11, 13)}/`));
    }

    // DuckDB over the same files laid out as on R2: the Hive partitions become columns.
    const dir = mkdtempSync(join(tmpdir(), "edgelog-lake-"));
    try {
      for (const [key, bytes] of written) {
        mkdirSync(dirname(join(dir, key)), { recursive: true });
        writeFileSync(join(dir, key), bytes);
      }
      const duck = await (await DuckDBInstance.create(":memory:")).connect();
      const glob = join(dir, "parquet/*/*/*/*.parquet");
      const counted = (await duck.runAndReadAll(`SELECT project, date, hour, count(*) AS n, count(DISTINCT id) AS ids,
          min(ts) AS first FROM read_parquet('${glob}', hive_partitioning = true) GROUP BY ALL ORDER BY date, hour`)).getRowObjectsJS();
      assert.equal(counted.reduce((n, r) => n + Number(r.n), 0), 180);
      assert.ok(counted.every((r) => r.project === "lake" && r.n === r.ids));
      const types = Object.fromEntries((await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${glob}')`)).getRowObjectsJS()
        .map((r) => [r.column_name, r.column_type]));
      assert.equal(types.ts, "TIMESTAMP");
      assert.equal(types.id, "BIGINT");
      assert.equal(types.message, "VARCHAR");
      const errors = (await duck.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}', hive_partitioning = true)
        WHERE project = 'lake' AND level = 'error'`)).getRowObjectsJS()[0].n;
      assert.equal(Number(errors), [...stored.values()].filter((e) => JSON.parse(e).level === "error").length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const view = (await (await w.admin("/api/admin/storage")).json()).open_data;
    assert.deepEqual([view.parquet, view.files, view.rows], [true, written.size, 180]);
    assert.match(await (await w.admin("/metrics")).text(), /^edgelog_open_data_rows 180$/m);

    // Again: nothing new, nothing written. New events: only they.
    const again = (await (await w.admin("/api/admin/maintain", { method: "POST" })).json()).jobs.open_data;
    assert.equal(again.rows, 0);
    assert.equal((await files(bucket)).size, written.size);
    await seedSegments(w, p.project, { requests: 1, perRequest: 10, receivedAt: T + 60_000, version: 2 });
    const more = await exportOpenData(env(), { now: Date.now(), deadline: Date.now() + 60_000 });
    assert.equal(more.rows, 10);
    assert.equal(more.pipeline_rows, 10);
    assert.deepEqual(sent.map((r) => r.id).sort(), [...(await allEvents(w, "lake")).keys()].filter((id) => !byId.has(id)).sort());
    assert.equal(typeof sent[0].ts, "number");
    assert.equal(typeof sent[0].ctx, "string");
  });

  test("an export stopped between its uploads and its transaction leaves no duplicate", async () => {
    const p = await w.createProject("lake-crash");
    for (const hoursAgo of [3, 2]) await seedSegments(w, p.project, { requests: 1, perRequest: 20, receivedAt: T - hoursAgo * HOUR + 50_000, version: 2 });
    let puts = 0;
    const failing = { ...env(), COLD: bucketWithPut(bucket, async (...a) => {
      if (++puts === 2) throw new Error("killed");
      return bucket.put(...a);
    }) };
    await assert.rejects(exportOpenData(failing, { now: Date.now(), deadline: Date.now() + 60_000 }));
    const left = await files(bucket, "parquet/project=lake-crash/");
    assert.equal(left.size, 1, "one file was uploaded before the stop");
    const report = await exportOpenData(env(), { now: Date.now(), deadline: Date.now() + 60_000 });
    assert.equal(report.rows, 40);
    const ids = [];
    for (const bytes of (await files(bucket, "parquet/project=lake-crash/")).values()) ids.push(...(await rowsOf(bytes)).map((r) => Number(r.id)));
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40);
  });

  test("the purge deletes the hours past the retention; deleting the project deletes the rest", async () => {
    const p = await w.createProject("lake-purge");
    await seedSegments(w, p.project, { requests: 1, perRequest: 10, receivedAt: T - 30 * HOUR + 50_000, version: 2 });
    await seedSegments(w, p.project, { requests: 1, perRequest: 10, receivedAt: T - 10 * HOUR + 50_000, version: 2 });
    await exportOpenData(env(), { now: Date.now(), deadline: Date.now() + 60_000 });
    assert.equal((await files(bucket, "parquet/project=lake-purge/")).size, 2);
    await w.admin("/api/admin/projects/lake-purge", { method: "PATCH", body: JSON.stringify({ retention_hours: 20 }) });
    const purge = (await (await w.admin("/api/admin/purge", { method: "POST" })).json()).jobs.purge;
    assert.equal(purge.projects.find((x) => x.project === "lake-purge").open_data_deleted, 1);
    const kept = [...(await files(bucket, "parquet/project=lake-purge/")).keys()];
    assert.equal(kept.length, 1);
    assert.ok(kept[0].includes(`hour=${new Date(T - 10 * HOUR).toISOString().slice(11, 13)}/`));
    await w.admin("/api/admin/projects/lake-purge", { method: "DELETE" });
    assert.equal((await files(bucket, "parquet/project=lake-purge/")).size, 0);
  });
});
