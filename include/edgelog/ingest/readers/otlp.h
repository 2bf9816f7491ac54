// The OpenTelemetry reader: OTLP/HTTP log export requests (ExportLogsServiceRequest), as protobuf
// (decoded with protozero, no generated code) or as OTLP's JSON encoding, into edgelog's own event
// objects, which the JSON reader then validates and limits. See docs/formats.md for the mapping.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/error.h"

namespace edgelog {

/// {"events":[…]} from an export request, or an error (invalid_body / invalid_json).
struct otlp_transcript {
  errc error = errc::ok;
  std::string json;
  bool empty = false;  ///< the request held no log records
};

/// `protobuf` picks the binary encoding, else JSON.
void read_otlp(std::string_view body, bool protobuf, otlp_transcript& out);

}  // namespace edgelog
