// Project deletion: a deleted project's logs go in bounded chunks, finished by maintenance when
// one request's budget is not enough.
import * as db from "../db/index.js";

const DELETE_CHUNK = 5000;

/** Deletes a deleted project's logs until none remain or the deadline passes, then the rest. */
export async function finishDeletion(env, projectId, deadline) {
  while (Date.now() < deadline) {
    if ((await db.deleteProjectLogsChunk(env.DB, projectId, DELETE_CHUNK)) < DELETE_CHUNK) {
      await db.finishProjectDeletion(env.DB, projectId);
      return true;
    }
  }
  return false;
}

