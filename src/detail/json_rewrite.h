// One validating pass over a JSON value's raw text: minified, ASCII-only output.
#pragma once

#include <string_view>

#include "detail/json_writer.h"
#include "edgelog/event.h"
#include "edgelog/ingest/passes/redact.h"

namespace edgelog::detail {

/// What rewriting may also do: scrub (values under sensitive keys filtered, secrets in strings
/// masked, counted in `scrubbed`) and capture categorization hints.
struct rewrite_extras {
  const scrub_options* scrub = nullptr;
  std::size_t scrubbed = 0;
  ctx_hints* hints = nullptr;
};

/// Writes the JSON value `raw` (text that is valid UTF-8) compactly to `w`, escaping non-ASCII.
/// Containers nested deeper than `max_depth` become the string "[depth limit]". Returns false,
/// with `w` partly written, when `raw` is not exactly one valid JSON value.
bool rewrite_json(std::string_view raw, json_writer& w, int max_depth, rewrite_extras* extras = nullptr);

}  // namespace edgelog::detail
