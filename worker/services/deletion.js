// Project deletion: a deleted project's logs go in bounded chunks, finished by maintenance when
// one request's budget is not enough; its packs and exported files on R2 go with them.
import * as db from "../db/index.js";
import { deleteExports } from "./open-data.js";
import { deleteSourceFiles } from "./sourcemaps.js";
import { sweepPacks } from "./tier.js";

const DELETE_CHUNK = 5000;

/** Deletes a deleted project's logs until none remain or the deadline passes, then the rest. */
export async function finishDeletion(env, projectId, deadline) {
  while (Date.now() < deadline) {
    if ((await db.deleteProjectLogsChunk(env.DB, projectId, DELETE_CHUNK)) < DELETE_CHUNK) {
      // Its exported Parquet files, then the project; its cold packs: nothing points at them any
      // more (what is left past the deadline, the next sweep takes).
      if ((await deleteExports(env, { projectId, deadline })).remaining) return false;
      await deleteSourceFiles(env, { id: projectId }, { all: true });
      await db.finishProjectDeletion(env.DB, projectId);
      await sweepPacks(env, { deadline });
      return true;
    }
  }
  return false;
}

