/* The C ABI of the edgelog core: the only extern "C" code. One coarse call per request.
 *
 * Ownership: every pointer returned by an el_* function is owned by the caller and released with
 * the matching free (el_free for el_alloc, el_result_free for el_ingest, el_read and el_alerts).
 * Inputs are pointer +
 * length; nothing is NUL-terminated. No C++ exception crosses this boundary. */
#ifndef EDGELOG_BINDINGS_H
#define EDGELOG_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version; bumped when a signature or the result layout changes. */
uint32_t el_abi_version(void);

/// Bytes the allocator has handed out and not had back: what a leak check compares.
size_t el_heap_in_use(void);

/** Allocates `n` bytes plus the parser's padding (so a body can be parsed in place), or NULL.
 *  The padding is zeroed; the `n` bytes are the caller's to fill. */
uint8_t* el_alloc(size_t n);

/** Frees memory from el_alloc. NULL is ignored. */
void el_free(uint8_t* p);

/** The result of a call: `header_len` bytes of JSON (the decision) at `header`, and `parts_len`
 *  bytes of ASCII strings at `parts`, back to back, whose lengths the header's "parts" lists (0
 *  when there is nothing to bind). Owned by the result. */
typedef struct el_result {
  uint8_t* header;
  uint32_t header_len;
  uint8_t* parts;
  uint32_t parts_len;
} el_result;

/** Decides on one ingest request. `context` is JSON (see edgelog/pipeline.h); `wire` is the
 *  body as sent (what X-Signature covers) and `body` the same after Content-Encoding was removed;
 *  for an uncompressed request pass the same pointer twice. `body` must come from el_alloc so the
 *  parser may read its padding. Returns NULL only when memory is exhausted; other failures are a
 *  header with status 500 and an error code. Free with el_result_free. */
el_result* el_ingest(const uint8_t* context, size_t context_len, const uint8_t* wire,
                     size_t wire_len, const uint8_t* body, size_t body_len);

/** Runs a read over segments (see edgelog/query.h, run_read): `request` is JSON, `body` the
 *  segments' base64 texts (or filters) back to back. The header is the JSON answer; no parts.
 *  Never returns NULL but when memory is exhausted. Free with el_result_free. */
el_result* el_read(const uint8_t* request, size_t request_len, const uint8_t* body, size_t body_len);

/** Decides on alerts (see edgelog/alerts.h, alerts_from_json): `context` is JSON; the result's
 *  header is the JSON answer and it has no rows. Never returns NULL but when memory is exhausted.
 *  Free with el_result_free. */
el_result* el_alerts(const uint8_t* context, size_t context_len);

/// Checks project rules (fingerprint or page rules): {"errors": ["line N: reason", …]}.
el_result* el_check_rules(const uint8_t* text, size_t text_len);

/** Frees a result. NULL is ignored. */
void el_result_free(el_result* r);

#ifdef __cplusplus
}
#endif

#endif
