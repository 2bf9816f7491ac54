// Types for @edgelog/client (ES modules; Node ≥ 20 and current browsers).

export type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** An event as edgelog's POST /api/log takes it (see the server's README). */
export interface EdgelogEvent {
  level: Level;
  message: string;
  ts?: string | number;
  stack?: string;
  source?: string;
  env?: string;
  user_id?: string;
  request_id?: string;
  session_id?: string;
  release?: string;
  event_id?: string;
  component?: string;
  endpoint?: string;
  fingerprint?: string[];
  ctx?: Record<string, unknown>;
  tags?: Record<string, string | number | boolean>;
  /** The bundles' source map debug IDs; filled by the client from bundles whose IDs were injected. */
  debug_meta?: { images: { type: "sourcemap"; code_file: string; debug_id: string }[] };
}

export type Fields = Omit<Partial<EdgelogEvent>, "level" | "message">;

export interface ClientOptions {
  /** The deployment, e.g. "https://logger.example.com". */
  url: string;
  /** The project key (X-Project-Key). */
  key: string;
  /** The key's secret, for signed keys. Never in a browser: the client refuses to start. */
  secret?: string;
  /** Events per request (default 100; the project's /config may lower it). */
  batchSize?: number;
  /** The longest an event waits in the buffer before a send (default 5000 ms). */
  flushIntervalMs?: number;
  /** Events the buffer holds at most (default 10,000). */
  maxBufferEvents?: number;
  /** When the buffer is full: "oldest" (default) makes room, "newest" refuses the new event. */
  dropPolicy?: "oldest" | "newest";
  /** Uncompressed JSON per request at most (default 400,000 bytes). */
  maxBatchBytes?: number;
  /** Per request (default 10,000 ms). */
  timeoutMs?: number;
  /** Gzip bodies when it pays (default true). */
  compress?: boolean;
  /** Read sampling and batch size from GET /config (default true). */
  config?: boolean;
  /** Told when edgelog refuses a batch for good (a 4xx other than 429). */
  onError?: (error: Error) => void;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface ClientStats {
  buffered: number;
  sent_events: number;
  sent_batches: number;
  queued_batches: number;
  retries: number;
  rejected_events: number;
  dropped: { buffer_full: number; sampled: number; refused: number; too_large: number };
  last_error: string | null;
}

export interface FlushOptions {
  /** Give up retrying after this long; what is left stays buffered (default 30,000 ms). */
  timeoutMs?: number;
  /** Send with fetch's keepalive (pages going away). */
  keepalive?: boolean;
}

export interface Client {
  capture(event: EdgelogEvent): boolean;
  log(level: Level, message: string, fields?: Fields): boolean;
  trace(message: string, fields?: Fields): boolean;
  debug(message: string, fields?: Fields): boolean;
  info(message: string, fields?: Fields): boolean;
  warn(message: string, fields?: Fields): boolean;
  error(message: string, fields?: Fields): boolean;
  fatal(message: string, fields?: Fields): boolean;
  stats(): ClientStats;
  flush(options?: FlushOptions): Promise<void>;
  close(options?: FlushOptions): Promise<void>;
}

export function createClient(options: ClientOptions): Client;

export interface OverflowOptions {
  /** The Sentry SDK's own transport factory: Sentry.makeNodeTransport or makeFetchTransport. */
  transport: (options: any) => any;
  /** An edgelog DSN (an unsigned key's): "https://elk_…@logger.example.com/3". */
  dsn?: string;
  url?: string;
  key?: string;
  project?: string | number;
  /** After a failure without Retry-After, Sentry is tried again after this long (default 30,000 ms). */
  retryPrimaryAfterMs?: number;
  timeoutMs?: number;
  onFailover?: (reason: string) => void;
  fetch?: typeof fetch;
}

/** A Sentry `transport` option that sends to Sentry and fails over to edgelog. */
export function edgelogOverflow(options: OverflowOptions): (options: any) => any;

/** Winston: logger.add(new EdgelogTransport({ url, key, secret })). */
export class EdgelogTransport {
  constructor(options: ClientOptions & { level?: string });
  readonly client: Client;
  flush(options?: FlushOptions): Promise<void>;
  close(): Promise<void>;
}
