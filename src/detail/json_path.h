// The value at a path of keys below a JSON object, as the query language reads ctx and tags:
// shared by the matcher and by segments that rebuild only the paths a read needs.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edgelog::detail {

/// The value at path[from…] below `at`: each step takes the longest run of the path's keys that
/// is one key there (`tags.peer.service` finds the tag "peer.service", and ctx.order.id the id
/// inside ctx.order), or nothing.
std::optional<simdjson::dom::element> find_path(simdjson::dom::element at, const std::vector<std::string>& path,
                                                std::size_t from = 0);

}  // namespace edgelog::detail
