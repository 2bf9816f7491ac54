// Symbolication: a JavaScript stack's minified frames rewritten to where they came from, with the
// maps an isolate keeps parsed. A map is found for a frame by the debug ID the event gives its
// bundle (Sentry's debug_meta), else by the event's release and the frame's URL (`~/` + its path,
// + ".map"), as uploads name their files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgelog/sourcemaps/source_map.h"

namespace edgelog {

/// Parsed maps by key, within a memory budget: the least recently used go first.
class map_cache {
 public:
  struct entry {
    std::string key;
    source_map map;
    std::string bundle;  ///< the minified file, when it was uploaded too (function names read it)
    line_index lines{std::string_view{}};
    std::size_t bytes = 0;
  };

  explicit map_cache(std::size_t budget = 32u << 20) : budget_(budget) {}
  /// Keeps a map (and its bundle, or empty) under `key`, evicting the least recently used past the
  /// budget (a map larger than the whole budget is not kept).
  void put(std::string key, source_map map, std::string bundle);
  /// The entry of `key`, now the most recently used; null when not kept.
  const entry* find(std::string_view key);
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::size_t budget_, bytes_ = 0;
  std::list<entry> entries_;  // most recently used first
};

/// The key of the map for a frame's URL in a project's release: "<project>:url:<release>|~/<path>.map"
/// ("" release for events without one); a relative script path ("index.js", as deployed Workers
/// name theirs) is taken from the upload's root; empty for a URL that names no file.
std::string map_key(std::int64_t project, std::string_view release, std::string_view url);

/// What symbolicating one stack did.
struct symbolicated {
  std::string stack;         ///< the stack with its mapped frames rewritten; empty when none was
  std::size_t frames = 0;    ///< frames rewritten
  std::string context_json;  ///< the first in-app rewritten frame's context lines, as a JSON object, or empty
  /// Every in-app rewritten frame's context lines (up to the `contexts` asked for), in stack order;
  /// the first is context_json.
  std::vector<std::string> contexts_json;
};

/// The key of the map of a debug ID: "<project>:debug:<id>" (lowercased).
std::string debug_key(std::int64_t project, std::string_view debug_id);

/// Rewrites the V8 (`    at fn (url:line:col)`) and Firefox/Safari (`fn@url:line:col`) frames of
/// `stack` that a cached map covers as V8 frames of their original file, line, column and
/// function. `images` are the event's {bundle URL, debug ID}. The keys of maps a frame would need
/// that the cache does not hold are added to `missing` (each once): its debug ID's, and its
/// release and URL's. Context lines are read for the first `contexts` in-app frames.
symbolicated symbolicate_stack(std::string_view stack, std::int64_t project, std::string_view release,
                               const std::vector<std::pair<std::string_view, std::string_view>>& images, map_cache& cache,
                               std::vector<std::string>& missing, std::size_t contexts = 1);

}  // namespace edgelog
