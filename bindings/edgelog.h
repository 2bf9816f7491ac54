/* The C ABI of the edgelog core: the only extern "C" code. One typed call per operation, each an
 * adapter: decode the request (bindings/decode.h), call the core, encode the answer
 * (bindings/encode.h). schema/abi.json describes every request and answer.
 *
 * Ownership: every pointer returned by an el_* function is owned by the caller and released with
 * the matching free (el_free for el_alloc, el_result_free for every el_result). Inputs are
 * pointer + length; nothing is NUL-terminated. No C++ exception crosses this boundary. */
#ifndef EDGELOG_BINDINGS_H
#define EDGELOG_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version; bumped when a signature or a request or answer form changes. */
uint32_t el_abi_version(void);

/** Bytes the allocator has handed out and not had back: what a leak check compares. */
size_t el_heap_in_use(void);

/** Allocates `n` bytes plus the parser's padding (so a body can be parsed in place), or NULL.
 *  The padding is zeroed; the `n` bytes are the caller's to fill. */
uint8_t* el_alloc(size_t n);

/** Frees memory from el_alloc. NULL is ignored. */
void el_free(uint8_t* p);

/** The result of a call: `header_len` bytes of JSON (the answer) at `header`, and `parts_len`
 *  bytes at `parts`: for ingest, ASCII strings back to back which the header's "parts" names; for
 *  el_zstd, the compressed bytes; 0 otherwise. Owned by the result. */
typedef struct el_result {
  uint8_t* header;
  uint32_t header_len;
  uint8_t* parts;
  uint32_t parts_len;
} el_result;

/** Frees a result. NULL is ignored. */
void el_result_free(el_result* r);

/* Every call below returns NULL only when memory is exhausted; a malformed request answers
 * {"status": 500, "error": {"code": "invalid_context", …}}. */

/** The vocabulary: levels, filter fields, alert and destination kinds, limits. */
el_result* el_vocabulary(void);

/** Keeps a project's settings for the ingests that name it: {"id", "settings": {…}} →
 *  {"generation"}. At most 1024 projects are kept; an ingest naming one that is not answers
 *  the error "unknown_settings" and the shim sends it again. */
el_result* el_project(const uint8_t* request, size_t request_len);

/** Decides on one ingest request. `request` is the per-request context naming the project's
 *  settings (el_project) or carrying them; `wire` is the body as sent (what X-Signature covers)
 *  and `body` the same after Content-Encoding was removed (the same pointer twice when
 *  uncompressed). `body` must come from el_alloc and stay allocated until the result is freed:
 *  the decision's events point into it. */
el_result* el_ingest(const uint8_t* request, size_t request_len, const uint8_t* wire, size_t wire_len,
                     const uint8_t* body, size_t body_len);

/** The decision of `previous` (an el_ingest result, not yet freed) without the events whose
 *  event_id storage holds: {"event_ids": [...]}. Nothing is parsed again. `previous` stays valid
 *  and must still be freed. */
el_result* el_ingest_without(el_result* previous, const uint8_t* request, size_t request_len);

/* The reads over segments: `request` is JSON, `body` the segments' base64 texts (or, for prune,
 * their filters) back to back, in the order the request lists them. */
el_result* el_prune(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_rows(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_forward(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_histogram(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_facets(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_aggregate(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
el_result* el_rules_preview(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);
/** Maintenance: version-1 segments rewritten as version 2, the same events. */
el_result* el_recode(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);

/* Insights, alerting and integrations: `request` is JSON. */
el_result* el_baseline(const uint8_t* request, size_t request_len);
el_result* el_trending(const uint8_t* request, size_t request_len);
el_result* el_suggest(const uint8_t* request, size_t request_len);
el_result* el_suspect(const uint8_t* request, size_t request_len);
el_result* el_alerts(const uint8_t* request, size_t request_len);
el_result* el_digest(const uint8_t* request, size_t request_len);
el_result* el_ticket(const uint8_t* request, size_t request_len);

/** Checks project rules (fingerprint or page rules, as text): {"errors": ["line N: reason", …]}. */
el_result* el_check_rules(const uint8_t* text, size_t text_len);
/** Checks in-app rules (`module:"com.acme.*" -> +app`, as text): {"errors": ["line N: reason", …]}. */
el_result* el_check_in_app_rules(const uint8_t* text, size_t text_len);

/** One zstd frame of `data` at `level` (1–19; others answer {"status": 400}), the segments'
 *  compressor, for the Parquet export's pages: {"size": n} and the frame's n bytes as `parts`. */
el_result* el_zstd(const uint8_t* data, size_t data_len, int level);

/** Reads an uploaded source map (v3 or an index map) as symbolication will: {"debug_id" (or ""),
 *  "mappings", "sources", "sources_with_content"}, or {"status": 400 or 413, "error": {"code":
 *  "invalid_source_map" or "source_map_too_large", "message": why}}. */
el_result* el_sourcemap_check(const uint8_t* data, size_t data_len);

/** Keeps a stored source map parsed for the isolate's ingests: `request` is {"key": a key an
 *  ingest named in `missing_maps`, "map_bytes": n}; `data` is the map's zstd frame (n bytes), then
 *  the minified file's zstd frame when it was uploaded too. {"kept", "bytes"} (the cache's maps and
 *  memory; the least recently used go past 32 MiB), or {"status": 400, "error"}. */
el_result* el_sourcemap_load(const uint8_t* request, size_t request_len, const uint8_t* data, size_t data_len);

/** JavaScript stacks of stored events symbolicated with the maps kept (a read of an event stored
 *  before its map was uploaded, or the context lines of each in-app frame): {"project_id",
 *  "in_app_rules", "contexts" (in-app frames given context lines, 1–10, default 1), "events":
 *  [{stack, release, debug_images}]} (at most 100) → {"events": [{frames, stack?, stack_frames?,
 *  context?, contexts?}], "missing_maps": [...]}. */
el_result* el_symbolicate(const uint8_t* request, size_t request_len);

#ifdef __cplusplus
}
#endif

#endif
