// Runs a batch_parser over a padded copy of a body in a given format, as el_alloc does for the
// Worker: the helper the reader suites share, with the names they all use.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/ingest/readers/json.h"

namespace edgelog::test {

/// The receive time the drop-in reader suites parse at (2026-12-01T03:03:20Z).
inline constexpr std::int64_t reader_now = 1'796'095'000'000;

struct parse_run {
  std::int64_t now_ms;
  batch_parser parser;
  std::string buffer;
  explicit parse_run(std::int64_t now = reader_now) : now_ms(now) {}
  const batch& operator()(std::string_view body, body_format format = body_format::json,
                          const batch_limits& limits = {}) {
    buffer.assign(body);
    buffer.append(batch_parser::padding, '\0');
    return parser.parse(std::string_view(buffer.data(), body.size()), limits, now_ms, format);
  }
  const batch& operator()(std::string_view body, const batch_limits& limits) {
    return (*this)(body, body_format::json, limits);
  }
};

}  // namespace edgelog::test

using edgelog::batch;
using edgelog::batch_limits;
using edgelog::batch_parser;
using edgelog::body_format;
using edgelog::errc;
using edgelog::level;
