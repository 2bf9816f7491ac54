// @edgelog/client: send logs to an edgelog deployment (see ../README.md).
export { createClient } from "./client.js";
export { edgelogOverflow } from "./sentry.js";
