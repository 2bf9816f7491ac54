#include "detail/json_path.h"

namespace edgelog::detail {

std::optional<simdjson::dom::element> find_path(simdjson::dom::element at, const std::vector<std::string>& path,
                                                std::size_t from) {
  simdjson::dom::object obj;
  if (at.get_object().get(obj)) return std::nullopt;
  std::string key;
  for (std::size_t to = path.size(); to > from; --to) {
    key.clear();
    for (std::size_t k = from; k < to; ++k) {
      if (k > from) key += '.';
      key += path[k];
    }
    simdjson::dom::element next;
    if (obj[key].get(next)) continue;
    if (to == path.size()) return next;
    if (auto found = find_path(next, path, to)) return found;
  }
  return std::nullopt;
}

}  // namespace edgelog::detail
