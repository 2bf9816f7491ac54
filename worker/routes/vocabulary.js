// GET /api/vocabulary: the core's vocabulary (levels, filter fields, alert and destination kinds,
// limits) for the dashboard, which writes none of them out itself. Nothing in it is secret.
import { json } from "../platform/http.js";
import { VOCABULARY } from "../platform/vocabulary.js";

export function vocabulary() {
  return json(200, VOCABULARY, { "Cache-Control": "public, max-age=300" });
}
