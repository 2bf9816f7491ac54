// Runs a batch_parser over a padded copy of a body in a given format, as el_alloc does for the
// Worker: the helper the reader suites share.
#pragma once

#include <string>
#include <string_view>

#include "edgelog/readers/json.h"

namespace edgelog::test {

struct reader_run {
  std::int64_t now_ms;
  batch_parser parser;
  std::string buffer;
  explicit reader_run(std::int64_t now) : now_ms(now) {}
  const batch& operator()(std::string_view body, body_format format) {
    buffer.assign(body);
    buffer.append(batch_parser::padding, '\0');
    return parser.parse(std::string_view(buffer.data(), body.size()), {}, now_ms, format);
  }
};

}  // namespace edgelog::test
