// One validating pass over a JSON value's raw text: minified, ASCII-only output.
#pragma once

#include <string_view>

#include "detail/json_writer.h"

namespace edgelog::detail {

/// Writes the JSON value `raw` (text that is valid UTF-8) compactly to `w`, escaping non-ASCII.
/// Containers nested deeper than `max_depth` become the string "[depth limit]". Returns false,
/// with `w` partly written, when `raw` is not exactly one valid JSON value.
bool rewrite_json(std::string_view raw, json_writer& w, int max_depth);

}  // namespace edgelog::detail
