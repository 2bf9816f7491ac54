// The readers for the clients of the two systems edgelog replaces besides Tekno Logger: the Go
// analytics log server (POST /api/v1/ingest, /api/v1/batch-ingest) and the FastAPI Central Logger
// (POST /api/v1/logs, /api/v1/logs/batch). Each maps its records into typed events, through the
// event builder's rules. docs/formats.md tables the mappings.
#pragma once

#include <string_view>

#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog {

/// The Go analytics server's records: one object, or {"logs": [...]} (else invalid_body, or
/// invalid_json for JSON that does not parse).
void read_go_analytics(std::string_view body, event_sink& out);

/// The Central Logger's workflow records: one object, {"logs": [...]}, or a bare array.
void read_central(std::string_view body, event_sink& out);

}  // namespace edgelog
