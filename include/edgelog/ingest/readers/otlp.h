// The OpenTelemetry reader: OTLP/HTTP log export requests (ExportLogsServiceRequest), as protobuf
// (decoded with protozero, no generated code) or as OTLP's JSON encoding, into typed events,
// through the event builder's rules. See docs/formats.md for the mapping.
#pragma once

#include <string_view>

#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog {

/// `protobuf` picks the binary encoding, else JSON. A request with no log records sets the
/// batch's empty_ok; one that does not decode refuses it (invalid_body, or invalid_json).
void read_otlp(std::string_view body, bool protobuf, event_sink& out);

}  // namespace edgelog
