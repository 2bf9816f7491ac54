// Reads over segments: the one call a read makes into the core. The shim only fetches rows for it.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/error.h"

namespace edgelog {

/// Runs one read request over segments and writes its JSON answer to `out`. `request` is JSON
/// (see docs/segment-format.md, "Reads"); `body` holds the segments' base64 texts (or, for
/// "prune", their filters) back to back. With "now", events older than their level's retention
/// (each segment's "retention_hours" and "retention_overrides") are hidden. Returns
/// errc::invalid_context when the request is malformed; a damaged segment is skipped and reported
/// in the answer, never fatal.
errc run_read(std::string_view request, std::string_view body, std::string& out);

}  // namespace edgelog
