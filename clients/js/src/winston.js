// A Winston transport: logger.add(new EdgelogTransport({ url, key, secret })). winston-transport
// (which every winston install has) is its base class, found where the application has it.
import { createRequire } from "node:module";
import { createClient } from "./client.js";
import { toEvent } from "./fields.js";
import { LEVELS } from "./vocabulary.js";

const Transport = createRequire(import.meta.url)("winston-transport");
const LEVEL = Symbol.for("level");
// npm's levels that are not edgelog's, and syslog's, for loggers that use them.
const OTHER_LEVELS = { http: "info", verbose: "debug", silly: "trace", emerg: "fatal", alert: "fatal", crit: "fatal", warning: "warn",
  notice: "info" };

/** A Winston info object → an edgelog event (its level before any colorizing, message, stack). */
export function winstonEvent(info) {
  const raw = info[LEVEL] ?? info.level;
  return toEvent(info, {
    level: LEVELS.includes(raw) ? raw : OTHER_LEVELS[raw] ?? "info", message: typeof info.message === "string" ? info.message : JSON.stringify(info.message),
    ts: typeof info.timestamp === "string" && !Number.isNaN(Date.parse(info.timestamp)) ? new Date(info.timestamp).toISOString() : undefined,
    skip: ["level", "message", "timestamp", "splat"],
  });
}

export class EdgelogTransport extends Transport {
  constructor(options = {}) {
    super(options);
    this.client = createClient(options);
  }

  log(info, callback) {
    this.client.capture(winstonEvent(info));
    callback();
  }

  /** Sends what is buffered (winston's logger.close() ends here too). */
  flush(options) {
    return this.client.flush(options);
  }

  close() {
    return this.client.close();
  }
}

export default EdgelogTransport;
