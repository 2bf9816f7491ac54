// Load with unique event ids that survives a server crash: senders retry what was not answered 202
// (same ids) until it is, and remember what was acknowledged. Used by the crash test and the soak.
import { sendBatch } from "./devserver.mjs";

export class Load {
  constructor(project, { senders = 4, batchSize = 25, tag = "e" } = {}) {
    Object.assign(this, { project, senders, batchSize, tag });
    this.acked = new Set(); // event ids in a batch answered 202
    this.sent = 0; // batches, first attempts
    this.failures = 0; // attempts answered otherwise (or not at all)
    this.statuses = {};
    this.queued = 0; // batches answered 202 with "queued": true
    this.stored_before = 0; // retried batches answered as duplicates: stored by an attempt whose answer was lost
    this.url = null;
    this.stopNew = false;
    this.intervalMs = 0; // per sender, between the starts of two batches (0: as fast as answered)
    this.maxBatches = Infinity; // in all
  }

  batch(sender, n) {
    return Array.from({ length: this.batchSize }, (_, i) => ({
      level: ["info", "warn", "error", "debug"][i % 4], event_id: `${this.tag}${sender}-${n}-${i}`,
      message: `order ${n} step ${i} took ${(n * 7 + i) % 900} ms`, source: `sender-${sender}`,
      ctx: { order: n, step: i },
    }));
  }

  /** Runs the senders until `stopNew` is set and every batch is acknowledged, or `deadline`. */
  run(deadline) {
    return Promise.all(Array.from({ length: this.senders }, (_, s) => this.#sender(s, deadline)));
  }

  async #sender(s, deadline) {
    for (let n = 0; !this.stopNew && Date.now() < deadline && this.sent < this.maxBatches; n++) {
      const events = this.batch(s, n);
      const start = Date.now();
      this.sent++;
      for (;;) {
        if (Date.now() >= deadline) return;
        const { status, body } = await sendBatch(this.url, this.project, events);
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
        if (status === 202) {
          for (const e of events) this.acked.add(e.event_id);
          if (body?.queued) this.queued++;
          if (body?.duplicates > 0) this.stored_before++;
          break;
        }
        this.failures++;
        await new Promise((r) => setTimeout(r, 200)); // down or refusing: the same batch again soon
      }
      const wait = start + this.intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}
