// The keys below ctx and tags of one stored event, named as the query language names them
// (`ctx.user.plan`, `tags."peer.service"`), with the text of each scalar value: what facets and
// the query bar's suggestions list.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "edgelog/store/segment.h"

namespace edgelog {

inline constexpr std::size_t max_key_depth = 4;   ///< keys nested deeper are named by their ancestor
inline constexpr std::size_t max_event_keys = 64;  ///< keys read per event, at most

/// A key's path as a query writes it: `ctx.` or `tags.` then each key, quoted (`"…"` with \" and
/// \\) unless it is a plain name (letters, digits, `_`, `-`).
std::string key_path(std::string_view root, std::string_view key);

/// Calls `each(path, value)` for each key below ctx and tags: objects are descended (up to
/// max_key_depth) and named too, with no value; a string gives its text, a number or boolean its
/// JSON; arrays and null give no value. At most max_event_keys calls.
template <class Each>
void for_each_key(const stored_event& ev, Each&& each);

namespace detail {
struct key_visit {
  virtual ~key_visit() = default;
  virtual void key(std::string_view path, std::optional<std::string_view> value) = 0;
};
void visit_keys(const stored_event& ev, key_visit& visit);
}  // namespace detail

template <class Each>
void for_each_key(const stored_event& ev, Each&& each) {
  struct adapter final : detail::key_visit {
    Each& f;
    explicit adapter(Each& fn) : f(fn) {}
    void key(std::string_view path, std::optional<std::string_view> value) override { f(path, value); }
  } a(each);
  detail::visit_keys(ev, a);
}

}  // namespace edgelog
