// A small D1 for unit tests of the Worker's own modules in Node: SQLite (node:sqlite) behind D1's
// API (prepare/bind/all/first/run, batch as one transaction), with the real migrations applied.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { unstable_splitSqlQuery as splitSql } from "wrangler";

class Statement {
  constructor(db, sql, binds = []) {
    this.db = db;
    this.sql = sql;
    this.binds = binds;
  }

  bind(...values) {
    return new Statement(this.db, this.sql, values.map((v) => (typeof v === "boolean" ? Number(v) : v ?? null)));
  }

  // Runs the statement: its rows (when it answers any) and what it changed.
  execute() {
    const stmt = this.db.sqlite.prepare(this.sql);
    const before = this.db.sqlite.prepare("SELECT total_changes() AS n").get().n;
    const rows = stmt.columns().length ? stmt.all(...this.binds) : (stmt.run(...this.binds), []);
    const changes = this.db.sqlite.prepare("SELECT total_changes() AS n").get().n - before;
    this.db.statements++;
    return { results: rows.map((r) => ({ ...r })), success: true, meta: { changes, rows_written: changes, rows_read: rows.length } };
  }

  async all() { return this.execute(); }
  async run() { return this.execute(); }
  async first(column) {
    const row = this.execute().results[0] ?? null;
    return column === undefined || row === null ? row : row[column];
  }
  async raw() { return this.execute().results.map((r) => Object.values(r)); }
}

export class FakeD1 {
  constructor() {
    this.sqlite = new DatabaseSync(":memory:");
    this.statements = 0; // statements run: what a test of the shim's round trips counts
  }

  prepare(sql) { return new Statement(this, sql); }

  async batch(statements) {
    this.sqlite.exec("BEGIN");
    try {
      const results = statements.map((s) => s.execute());
      this.sqlite.exec("COMMIT");
      return results;
    } catch (err) {
      this.sqlite.exec("ROLLBACK");
      throw new Error(`D1_ERROR: ${err.message}`);
    }
  }

  async exec(sql) {
    this.sqlite.exec(sql);
    return { count: 1 };
  }
}

/** A fake D1 with the repository's migrations applied, in order. */
export function migratedD1(root) {
  const d1 = new FakeD1();
  const dir = join(root, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort())
    for (const statement of splitSql(readFileSync(join(dir, file), "utf8"))) d1.sqlite.exec(statement);
  return d1;
}

/** A KV namespace in memory (get/put/delete/list with metadata), for the modules that cache. */
export class FakeKV {
  constructor() { this.map = new Map(); }
  async get(key, type) {
    const e = this.map.get(key);
    if (!e) return null;
    return type === "json" ? JSON.parse(e.value) : e.value;
  }
  async getWithMetadata(key, type) {
    const e = this.map.get(key);
    return e ? { value: type === "json" ? JSON.parse(e.value) : e.value, metadata: e.metadata ?? null } : { value: null, metadata: null };
  }
  async put(key, value, options = {}) { this.map.set(key, { value: String(value), metadata: options.metadata }); }
  async delete(key) { this.map.delete(key); }
  async list({ prefix = "" } = {}) {
    const keys = [...this.map.entries()].filter(([k]) => k.startsWith(prefix)).map(([name, e]) => ({ name, metadata: e.metadata }));
    return { keys, list_complete: true };
  }
}
