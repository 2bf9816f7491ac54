// What the core decided for one ingest request, typed: the encoder turns it into bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/event.h"
#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/ingest/rate_limit.h"

namespace edgelog {

/// One line of the outcome ledger: what happened to how many events and requests, and why.
struct ledger_entry {
  std::string_view outcome;  ///< invalid, truncated, scrubbed, retimed, utf8_repaired, rate_limited, …
  std::string_view reason;   ///< the error code, when there is one
  std::size_t events = 0, requests = 0;
};

/// True for the ledger's outcomes that are events dropped (invalid, rate_limited, bad_signature,
/// too_large), as digests and the overview report them; false for marks such as truncated.
bool is_drop_outcome(std::string_view outcome) noexcept;

/// One issue's share of a request: the events of one fingerprint.
struct issue_summary {
  std::size_t first = 0;  ///< index (into decision::events) of its first event
  std::size_t last = 0;   ///< index of its latest event (by ts; the later one on ties)
  level max_level = level::trace;
  std::size_t count = 0;
  std::int64_t first_ts = 0, last_ts = 0;
  /// Distinct non-empty releases of its events, at most max_releases: whether the batch regresses
  /// an issue resolved in a given release.
  std::vector<std::string_view> releases;
  static constexpr std::size_t max_releases = 8;
  bool paged = false;  ///< one of its events was triaged `page` (fatal, or a page rule matched)
};

/// The decision on one request. Views point into the pipeline and stay valid until its next call.
struct ingest_decision {
  int status = 500;          ///< HTTP status to answer
  errc error = errc::ok;     ///< set when nothing is accepted: the refusal's code
  rate_decision rate;        ///< shown as X-RateLimit-* (and Retry-After when denied)
  window_counts project_counts, ip_counts;  ///< the counts the shim keeps for the next request
  bool ip_spent = false;     ///< whether the request counts toward the client IP's limit
  std::vector<ledger_entry> ledger;  ///< besides accepted and duplicate events (storage counts those)
  std::span<const rejection> rejected;
  std::size_t accepted = 0;          ///< valid events, duplicates included
  std::size_t duplicates = 0;        ///< valid events not stored: their event_id is stored already
  std::span<const event> events;     ///< events to store, in the order sent
  std::vector<enrichment> enriched;  ///< parallel to events
  std::vector<issue_summary> issues; ///< one per distinct fingerprint, in order of first appearance
  std::array<std::uint32_t, 6> retention_hours{};  ///< the retention class of each level
  bool counted = false;  ///< the events were counted before (a conversion): no issue or minute shares
  bool alert_details = true;  ///< issue summaries carry the latest event's context for alert messages
  std::string_view reply_id;  ///< Sentry: the envelope's event_id, for the {"id"} answer
  std::vector<std::string> missing_maps;  ///< source maps the batch's frames would use, not kept (symbolicate.h keys)
  std::size_t ignored = 0;    ///< Sentry: items accepted without being stored
};

}  // namespace edgelog
