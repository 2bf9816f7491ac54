// The Better Stack (Logtail) reader: what @logtail/node and its kin POST to their endpoint — an
// array of records as MessagePack (or JSON) — into typed events, through the event builder's
// rules. See docs/formats.md for the mapping.
#pragma once

#include <string_view>

#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog {

/// `msgpack` picks MessagePack, else JSON. A body may be one record or an array of them; an empty
/// array (the SDK's final flush) sets the batch's empty_ok. A body that is neither refuses the
/// batch with invalid_body (invalid_json for JSON that does not parse).
void read_logtail(std::string_view body, bool msgpack, event_sink& out);

}  // namespace edgelog
