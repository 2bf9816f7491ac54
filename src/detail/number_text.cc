// Numbers and durations in text.
#include "detail/number_text.h"

#include <cstdlib>
#include <string>
#include <utility>

namespace edgelog::detail {

std::optional<double> number_of(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str()) return std::nullopt;
  std::string_view unit(end);
  static constexpr std::pair<std::string_view, double> units[] = {
      {"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
      {"us", 0.001}, {"\xC2\xB5s", 0.001}, {"ns", 0.000001}};
  for (auto [name, scale] : units)
    if (unit == name) return v * scale;
  return std::nullopt;
}

}  // namespace edgelog::detail
