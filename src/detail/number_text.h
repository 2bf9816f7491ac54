// A number as the query language reads one in text: what a comparison compares a ctx or tags
// string with, and what a segment's numeric ranges record of it.
#pragma once

#include <optional>
#include <string_view>

namespace edgelog::detail {

/// A number, or a duration in milliseconds (`250ms`, `1.5s`, `2m`, `1h`, `1d`; `us`/`µs`, `ns`);
/// nothing for text longer than 64 bytes.
std::optional<double> number_of(std::string_view text);

}  // namespace edgelog::detail
