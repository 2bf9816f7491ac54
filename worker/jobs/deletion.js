// Finishes project deletions that one request could not complete.
import * as db from "../db/index.js";
import { finishDeletion } from "../services/deletion.js";

export async function finishDeletions(env, { deadline }) {
  const report = { projects: [], remaining: false };
  for (const id of await db.projectsBeingDeleted(env.DB)) {
    const done = await finishDeletion(env, id, deadline);
    report.projects.push({ project_id: id, complete: done });
    if (!done) report.remaining = true;
  }
  return report;
}
