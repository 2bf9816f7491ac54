// Golden example files from schema/examples and tests/cpp/sourcemaps/fixtures, compiled into the
// test binaries.
#pragma once

#include <string_view>
#include <vector>

namespace edgelog::test {

struct golden_file {
  std::string_view name;
  std::string_view content;
};

/// Every file under schema/examples, and the source map fixtures, by file name.
const std::vector<golden_file>& golden_files();

/// The content of the golden file named `name`; empty when there is none.
inline std::string_view golden_named(std::string_view name) {
  for (const auto& f : golden_files())
    if (f.name == name) return f.content;
  return {};
}

}  // namespace edgelog::test
