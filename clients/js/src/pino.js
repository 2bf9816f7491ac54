// A Pino transport: pino.transport({ target: "@edgelog/client/pino", options: { url, key, secret } }).
// Pino runs it in a worker thread and writes NDJSON lines to the stream it returns.
import { Writable } from "node:stream";
import { createClient } from "./client.js";
import { toEvent } from "./fields.js";

/** Pino's numeric levels → edgelog's (custom levels in between go to the next one down). */
export function pinoLevel(n) {
  if (n >= 60) return "fatal";
  if (n >= 50) return "error";
  if (n >= 40) return "warn";
  if (n >= 30) return "info";
  if (n >= 20) return "debug";
  return "trace";
}

/** A Pino line (parsed) → an edgelog event: msg, time, err (its message, stack and type) and the
 *  bindings (`name` becomes the source; pid and hostname stay in ctx). */
export function pinoEvent(line) {
  const message = typeof line.msg === "string" && line.msg ? line.msg : line.err?.message ?? "";
  return toEvent(line, {
    level: pinoLevel(line.level), message, ts: typeof line.time === "number" ? new Date(line.time).toISOString() : undefined,
    skip: ["level", "msg", "time", "name", "v"], source: typeof line.name === "string" ? line.name : undefined,
  });
}

export default async function edgelogPino(options = {}) {
  const client = createClient(options);
  let rest = "";
  return new Writable({
    write(chunk, _encoding, callback) {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop();
      for (const text of lines) {
        if (!text.trim()) continue;
        try {
          client.capture(pinoEvent(JSON.parse(text)));
        } catch {
          client.capture({ level: "info", message: text.slice(0, 8192) });
        }
      }
      callback();
    },
    final(callback) {
      if (rest.trim()) this.write("\n");
      client.close().then(() => callback(), callback);
    },
  });
}
