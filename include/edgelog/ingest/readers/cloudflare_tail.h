// The Cloudflare Tail Worker reader: the TraceItems a producer Worker's runtime hands to edgelog's
// tail() handler, into typed events through the event builder's rules. One TraceItem gives an
// event per uncaught exception, per console line, and one for a failed outcome or a 5xx answer
// that nothing else reported. See docs/formats.md for the mapping.
#pragma once

#include <string_view>

#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog {

/// `body` is {"log_sample": 0–1, "items": [TraceItem, …]} as the Worker's tail() handler writes it
/// for one producer: the items as the runtime gave them (JSON), and the share of console lines below
/// warn to keep (1 when absent; exceptions, warnings, errors and failed outcomes are always kept).
/// Which lines a share keeps is decided by a hash of the line, so the same line is kept or not
/// wherever it is read. An item with "continued": true is a further piece of an item the Worker
/// cut (more lines than one request takes): its lines only, no outcome event. A body that is not such an object refuses the batch (invalid_json,
/// invalid_body); items with nothing to report leave the batch empty with empty_ok set.
void read_cloudflare_tail(std::string_view body, event_sink& out);

}  // namespace edgelog
