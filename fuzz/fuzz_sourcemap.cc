// libFuzzer target for the source map reader: arbitrary bytes as a map. Invariants: no crash; a
// refusal has a reason; what parses answers lookups anywhere (its positions 1-based, its indexes in
// range), context lines of what it maps, and a whole stack against the input as a bundle. The
// input read as JavaScript source: its function bodies, and the function at any offset.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "edgelog/sourcemaps/scopes.h"
#include "edgelog/sourcemaps/source_map.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    std::string pool;
    auto scopes = edgelog::function_scopes(text, pool);
    for (const auto& f : scopes) {
      if (f.name_offset + f.name_length > pool.size() || f.parent >= static_cast<std::int32_t>(scopes.size())) std::abort();
      (void)edgelog::scope_name(scopes, pool, f.start_line, f.start_column + 1);
    }
    (void)edgelog::enclosing_function(text, size / 2);
  }
  edgelog::errc code;
  std::string why;
  edgelog::source_map_limits limits;
  limits.max_bytes = 1 << 20;
  auto map = edgelog::source_map::parse(text, limits, code, why);
  if (code != edgelog::errc::ok) {
    if (why.empty()) std::abort();
    return 0;
  }
  edgelog::line_index bundle(text);
  std::vector<edgelog::generated_frame> frames;
  for (std::uint32_t line = 0; line < 4; ++line)
    for (std::uint32_t column : {0u, 1u, 2u, 7u, 40u, 1000u}) {
      auto p = map.lookup(line, column);
      if (p) {
        if (p->line == 0 || p->column == 0) std::abort();
        (void)map.context(*p);
      }
      frames.push_back({line, column, size > 3 ? text.substr(0, 1 + data[0] % 3) : "f"});
    }
  auto original = map.symbolicate(frames, bundle);
  if (original.size() != frames.size()) std::abort();
  return 0;
}
