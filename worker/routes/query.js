// GET /api/query?text=: how the core reads a query bar — the read API's filter (q, levels, field
// values, exclusions), the words it will highlight, or what is wrong with it. The dashboard writes
// its URL from this instead of parsing queries itself. For anyone signed in, and read keys.
import { badParam } from "../services/search.js";
import { json } from "../platform/http.js";
import { readTheQueryBar } from "../services/scan.js";
import { QUERY_LIMITS } from "../platform/vocabulary.js";

const MAX_TEXT = QUERY_LIMITS.max_query_chars;

export async function readQuery(request, env) {
  const text = new URL(request.url).searchParams.get("text") ?? "";
  if (text.length > MAX_TEXT) return badParam("text", `text is longer than ${MAX_TEXT} characters`);
  const { filter, terms, error } = readTheQueryBar(text);
  if (error) {
    const at = error.position !== undefined ? { position: error.position } : {};
    return json(400, { error: { code: error.code, message: error.message }, field: error.field, ...at, filter });
  }
  return json(200, { filter, terms });
}
