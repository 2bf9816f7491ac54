// The Worker entry: fetch (through the route table, worker/router/table.js, and its router), the
// cron handler, the queue consumer and the Tail Worker handler. Handlers live in worker/routes/
// (one module per resource), which call worker/services/; see docs/architecture.md.
import { runScheduled } from "./worker/jobs/schedule.js";
import { ColdStorageUnavailable } from "./worker/platform/cold.js";
import { coldStorageUnavailable, internalError, notFound, requestId, storageUnavailable } from "./worker/platform/http.js";
import { observeRequest } from "./worker/platform/observe.js";
import { serveAsset } from "./worker/routes/assets.js";
import { dispatch, match } from "./worker/router/dispatch.js";
import { consumeQueue } from "./worker/services/queue.js";
import { receiveTail } from "./worker/services/tail.js";

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    const found = match(pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname);
    if (!found) {
      // The dashboard's files; unknown API paths stay JSON 404s.
      return pathname.startsWith("/api/") || !env.ASSETS ? notFound() : serveAsset(request, env);
    }
    const started = Date.now();
    try {
      return await dispatch(request, env, ctx, found);
    } catch (err) {
      const rid = requestId(request);
      console.error("unhandled", rid, err);
      if (String(err?.message).startsWith("D1_")) return storageUnavailable(rid);
      if (err instanceof ColdStorageUnavailable) return coldStorageUnavailable(rid);
      return internalError(rid);
    } finally {
      observeRequest(found.path, (Date.now() - started) / 1000);
    }
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },

  // Writes buffered while D1 failed (worker/services/queue.js), and their dead letters.
  async queue(batch, env, ctx) {
    await consumeQueue(batch, env, ctx);
  },

  // Customers' Workers that name edgelog as their Tail Worker (worker/services/tail.js).
  async tail(items, env, ctx) {
    await receiveTail(items, env, ctx);
  },
};

