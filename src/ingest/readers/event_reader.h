// The per-event half of the JSON reader, shared with the body-level half (json.cc): the values of
// one event object, typed by simdjson, handed to the event builder.
#pragma once

#include <simdjson.h>

#include "edgelog/event.h"
#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog::detail {

/// simdjson's errors that mean "the wrong type", not "broken JSON".
bool is_type_error(simdjson::error_code e) noexcept;

/// Reads one event object into `ev` through `fields` (started on `ev` here); false with
/// fields.failure() set when it is refused. Strings the reader had to repair are kept in
/// `storage`, which must outlive the event.
bool read_event(simdjson::ondemand::value value, event& ev, event_builder& fields, std::deque<std::string>& storage);

}  // namespace edgelog::detail
