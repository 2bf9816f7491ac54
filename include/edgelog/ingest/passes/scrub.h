// The scrubbing pass: PII and secrets masked in every event before anything else reads them.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "edgelog/event.h"
#include "edgelog/ingest/passes/redact.h"

namespace edgelog {

/// Masks secrets in each event's message, stack, ctx and tags as `options` say (see redact.h),
/// adding what it masked to event::scrubbed. Replaced strings are kept in `storage`, which must
/// outlive the events. Every reader's events go through this pass, so none can forget it.
void scrub_events(std::vector<event>& events, const scrub_options& options,
                  std::deque<std::string>& storage);

}  // namespace edgelog
