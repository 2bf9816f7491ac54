// The source map fixtures esbuild built (fixtures/build.mjs), compiled into the test binaries.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "edgelog/sourcemaps/source_map.h"
#include "golden.h"

namespace edgelog::test {

/// A fixture's content (it lives as long as the test binary).
inline std::string_view fixture(std::string_view name) {
  std::string_view content = golden_named(name);
  REQUIRE_MESSAGE(!content.empty(), "no fixture " << name);
  return content;
}

/// A fixture map, parsed.
inline source_map fixture_map(std::string_view name = "app.min.js.map") {
  errc code;
  std::string why;
  source_map map = source_map::parse(fixture(name), {}, code, why);
  REQUIRE_MESSAGE(code == errc::ok, why);
  return map;
}

}  // namespace edgelog::test
