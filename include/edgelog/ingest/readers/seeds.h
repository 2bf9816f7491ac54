// The readers for the clients of the two systems edgelog replaces besides Tekno Logger: the Go
// analytics log server (POST /api/v1/ingest, /api/v1/batch-ingest) and the FastAPI Central Logger
// (POST /api/v1/logs, /api/v1/logs/batch). Each maps its records into edgelog's own event objects,
// which the JSON reader then validates and limits. docs/formats.md tables the mappings.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/error.h"

namespace edgelog {

/// {"events":[…]} from a seed client's body, or an error (invalid_json / invalid_body).
struct seed_transcript {
  errc error = errc::ok;
  std::string json;
};

/// The Go analytics server's records: one object, or {"logs": [...]}.
void read_go_analytics(std::string_view body, std::int64_t now_ms, seed_transcript& out);

/// The Central Logger's workflow records: one object, {"logs": [...]}, or a bare array.
void read_central(std::string_view body, std::int64_t now_ms, seed_transcript& out);

}  // namespace edgelog
