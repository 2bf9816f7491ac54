// Forwarding: stored events written as the body a search engine or SIEM takes in one request —
// an Elasticsearch/OpenSearch `_bulk` body, or NDJSON for a generic HTTP endpoint — or as the
// columns of the open-data export (Parquet files on R2, a Cloudflare Pipeline).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "edgelog/store/segment.h"

namespace edgelog {

enum class forward_format { bulk, ndjson, columns };

struct forward_options {
  forward_format format = forward_format::bulk;
  std::string index = "edgelog";          ///< `_index` of each bulk action
  std::size_t max_bytes = 4u << 20;       ///< the body stops before it would pass this (one event always fits)
};

struct forward_item {
  const stored_event* event = nullptr;
  std::int64_t id = 0;                    ///< the event's id in edgelog (stable: segment id × 4096 + index)
  std::string_view project;
  std::int64_t received_at = 0;
  const std::vector<rule>* in_app_rules = nullptr;  ///< the project's, for the frames' in-app marks
};

/// Appends the items, in order, to `body` until the next would pass `max_bytes`; answers how many
/// were written. Each document is the read API's event with `@timestamp` (its time, RFC 3339)
/// first. Bulk actions are `create` with `_id` "<project>-<id>": a batch sent again after a lost
/// answer is refused per document (409) instead of stored twice.
std::size_t write_forward_body(const forward_options& options, std::span<const forward_item> items, std::string& body);

/// The export's columns: one JSON object {"id": [...], "ts": [...], "received_at": [...] (epoch ms),
/// "level": [...], every stored field by name ("message", "stack", "fingerprint", "template", …:
/// a string, or null when empty), "ctx", "tags" (their JSON text, or null) and "extra" (the other
/// extra members as a JSON object's text, or null)}, the items in order until the next would pass
/// `max_bytes` (one always fits); answers how many were written.
std::size_t write_export_columns(std::span<const forward_item> items, std::size_t max_bytes, std::string& body);

/// Reads "bulk", "ndjson" or "columns" into `out`; false for anything else.
bool parse_forward_format(std::string_view name, forward_format& out);

}  // namespace edgelog
