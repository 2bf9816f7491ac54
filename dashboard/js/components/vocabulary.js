// The core's vocabulary as GET /api/vocabulary answers it: levels, the fields a search filters on,
// alert and destination kinds with what each rule uses, and the limits settings must keep. Loaded
// once by the shell before the first page; the dashboard writes none of these lists itself.
import { api } from "./api.js";

let vocabulary = null;

/** Fetches the vocabulary (once). */
export async function loadVocabulary() {
  vocabulary ??= await api("/api/vocabulary");
  return vocabulary;
}

const loaded = () => {
  if (!vocabulary) throw new Error("the vocabulary is not loaded yet");
  return vocabulary;
};

/** Level names, least severe first. */
export const levels = () => loaded().levels;
/** The fields a search filters on exactly (field=value and not.field=value). */
export const filterFields = () => loaded().filter_fields;
/** Alert kinds: [{name, label, summary, fields, on_ingest}]. */
export const alertKinds = () => loaded().alert_kinds;
export const destinationKinds = () => loaded().destination_kinds;
export const sensitivities = () => loaded().sensitivities;
/** {min, max} of a setting or rule field (retention_hours, max_body_bytes, …). */
export const limit = (name) => loaded().limits[name];
