// Every SQL statement of edgelog, as named functions with ?N binds, one module per concern.
// Nothing else builds SQL. Handlers may import this index or the module of their concern.
export * from "./counters.js";
export * from "./ingest.js";
export * from "./folds.js";
export * from "./convert.js";
export * from "./recode.js";
export * from "./projects.js";
export * from "./maintenance.js";
export * from "./issues.js";
export * from "./alerts.js";
export * from "./read.js";
export * from "./sessions.js";
export * from "./digests.js";
export * from "./tickets.js";
export * from "./forwarding.js";
export * from "./queries.js";
export * from "./cold.js";
export * from "./open-data.js";
export * from "./tail-workers.js";
export * from "./sourcemaps.js";
export * from "./users.js";
export * from "./tokens.js";
export * from "./audit.js";
export * from "./chat.js";
