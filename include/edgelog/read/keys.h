// The keys below ctx and tags of one stored event, named as the query language names them
// (`ctx.user.plan`, `tags."peer.service"`), with the text of each scalar value: what facets and
// the query bar's suggestions list.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include "edgelog/store/segment.h"

namespace edgelog {

inline constexpr std::size_t max_key_depth = 4;   ///< keys nested deeper are named by their ancestor
inline constexpr std::size_t max_event_keys = 64;  ///< keys read per event, at most

/// Calls `each(path, value)` for each key below ctx and tags, its path as a query writes it
/// (`ctx.` or `tags.`, then each key, quoted with \" and \\ unless it is a plain name of letters,
/// digits, `_` and `-`): objects are descended (up to
/// max_key_depth) and named too, with no value; a string gives its text, a number or boolean its
/// JSON; arrays and null give no value. At most max_event_keys calls.
void for_each_key(const stored_event& ev,
                  const std::function<void(std::string_view path, std::optional<std::string_view> value)>& each);

}  // namespace edgelog
