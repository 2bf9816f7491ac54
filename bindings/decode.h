// All JSON decoding of requests across the ABI: each el_* export's request text (and body) into
// the typed request of its core function. schema/abi.json describes every form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/alerting/alerts.h"
#include "edgelog/alerting/digest.h"
#include "edgelog/error.h"
#include "edgelog/ingest/pipeline.h"
#include "edgelog/insights/baseline.h"
#include "edgelog/insights/suggest.h"
#include "edgelog/insights/suspect.h"
#include "edgelog/insights/trending.h"
#include "edgelog/integrations/ticket.h"
#include "edgelog/read/operations.h"

namespace edgelog::bindings {

/// A project's settings to keep: {"id", "settings": {"max_body_bytes", "max_decoded_bytes",
/// "max_events", "retention_hours", "retention_overrides": {level: hours} (or its JSON text),
/// "require_timestamp", "scrubbing": {…} (or its JSON text), "fingerprint_rules", "page_rules",
/// "convert"}}.
errc decode_project(std::string_view json, std::int64_t& id, project_settings& out);

/// The per-request part of an ingest: {"project": {"id", "generation"}, "now_ms", "signature",
/// "secrets" | "macs", "unsigned", "format", "rate": {"project", "ip"}, "known_event_ids",
/// "alert_details"}; `settings` is filled instead when the request carries them inline
/// ("settings": {…}), and `project_id`/`generation` name the cached ones otherwise.
struct ingest_request {
  ingest_context context;
  bool inline_settings = false;
  project_settings settings;
  std::int64_t project_id = 0;
  std::uint32_t generation = 0;
};
errc decode_ingest(std::string_view json, ingest_request& out);

/// {"event_ids": [...]}: the stored duplicates to leave out of the last decision.
errc decode_stored_ids(std::string_view json, std::vector<std::string>& out);

errc decode_prune(std::string_view json, std::string_view body, prune_request& out);
errc decode_rows(std::string_view json, std::string_view body, rows_request& out);
errc decode_forward(std::string_view json, std::string_view body, forward_request& out);
errc decode_histogram(std::string_view json, std::string_view body, histogram_request& out);
errc decode_recode(std::string_view json, std::string_view body, recode_request& out);
errc decode_facets(std::string_view json, std::string_view body, facets_request& out);
errc decode_aggregate(std::string_view json, std::string_view body, aggregate_request& out);
errc decode_rules_preview(std::string_view json, std::string_view body, rules_preview_request& out);

struct baseline_request {
  std::vector<hourly_count> history;
  std::int64_t since = 0, from = 0, to = 0;
};
errc decode_baseline(std::string_view json, baseline_request& out);

struct trending_request {
  std::int64_t now = 0;
  std::size_t limit = 50;
  std::vector<trend_input> items;
};
errc decode_trending(std::string_view json, trending_request& out);

errc decode_suggest(std::string_view json, issue_evidence& out);
errc decode_suspect(std::string_view json, suspect_input& out);
errc decode_alerts(std::string_view json, alert_request& out);

struct digest_request {
  digest_input digest;
  std::vector<destination_kind> kinds;
  std::int64_t now_ms = 0;
};
errc decode_digest(std::string_view json, digest_request& out);
errc decode_ticket(std::string_view json, ticket_input& out);

}  // namespace edgelog::bindings
