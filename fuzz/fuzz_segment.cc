// libFuzzer target for the segment reader: arbitrary bytes as a segment. Invariants: no crash;
// what opens writes every event as valid ASCII JSON; a read request over it never throws.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "detail/base64.h"
#include "edgelog/read/query.h"
#include "edgelog/read/operations.h"
#include "edgelog/store/segment.h"
#include "opened_events.h"
#include "encode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  edgelog::segment_reader reader;
  edgelog::opened_segment seg;
  if (reader.open(bytes, seg) == edgelog::errc::ok) edgelog::fuzz::check_events_write_json(seg);
  std::string b64;
  edgelog::detail::base64_encode(bytes, b64);
  edgelog::rows_request request;
  request.filter.q = "a* \"b c\" -d";
  request.filter.equals.emplace_back("source", "x");
  request.segments.push_back({1, "p", 0, b64, 0, {}, {}, {}});
  std::string answer = edgelog::encode_rows(edgelog::read_rows(request));
  if (!nlohmann::json::accept(answer)) __builtin_trap();
  return 0;
}
