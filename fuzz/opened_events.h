// What the segment fuzz targets hold every opened segment to: each event writes valid ASCII JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "edgelog/store/segment.h"

namespace edgelog::fuzz {

inline void check_events_write_json(const opened_segment& seg) {
  for (const auto& ev : seg.rows) {
    std::string out;
    write_event_json(out, ev, 1, "p", 0);
    for (unsigned char c : out)
      if (c >= 0x80) __builtin_trap();
    if (!nlohmann::json::accept(out)) __builtin_trap();
  }
}

}  // namespace edgelog::fuzz
