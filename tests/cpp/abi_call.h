// Calls the C ABI as the Worker's loader does (bytes in, a result's JSON out), for the suites that
// check what crosses the boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "edgelog.h"

namespace edgelog::test {

/// The JSON answer of an el_* call that takes one request.
inline std::string call(el_result* (*fn)(const std::uint8_t*, std::size_t), std::string_view request) {
  el_result* r = fn(reinterpret_cast<const std::uint8_t*>(request.data()), request.size());
  std::string out(reinterpret_cast<const char*>(r->header), r->header_len);
  el_result_free(r);
  return out;
}

/// The JSON answer of an el_* call that takes a request and a body (the reads over segments).
inline std::string call(el_result* (*fn)(const std::uint8_t*, std::size_t, const std::uint8_t*, std::size_t),
                        std::string_view request, std::string_view body) {
  el_result* r = fn(reinterpret_cast<const std::uint8_t*>(request.data()), request.size(),
                    reinterpret_cast<const std::uint8_t*>(body.data()), body.size());
  std::string out(reinterpret_cast<const char*>(r->header), r->header_len);
  el_result_free(r);
  return out;
}

}  // namespace edgelog::test
