// The per-event half of the JSON reader, shared with the body-level half (json.cc).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <string>

#include "edgelog/error.h"
#include "edgelog/event.h"
#include "edgelog/ingest/readers/json.h"

namespace edgelog::detail {

/// A failure inside one event: either the event is refused (code) or the JSON itself is broken,
/// which refuses the whole body because On-Demand cannot resynchronize after a syntax error.
struct event_failure {
  errc code = errc::ok;
  std::string message;
  bool broken_json = false;
};

/// simdjson's errors that mean "the wrong type", not "broken JSON".
bool is_type_error(simdjson::error_code e) noexcept;

/// Reads one event object into `ev`; false with `fail` set when it is refused. Strings the reader
/// had to repair are kept in `storage`, which must outlive the event.
bool read_event(simdjson::ondemand::value value, event& ev, event_failure& fail, const batch_limits& limits,
                std::int64_t now_ms, std::deque<std::string>& storage);

}  // namespace edgelog::detail
