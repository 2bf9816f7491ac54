// Numbers and durations in text.
#include "detail/number_text.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace edgelog::detail {
namespace {

// Clinger's fast path: `[-]digits[.digits]` with at most 15 digits is exact as an integer over a
// power of ten (both exactly representable), so one division rounds as strtod does. The value
// and the bytes it used; nothing when the text needs strtod (more digits, an exponent, hex, a
// leading plus or space, inf, nan, a point without digits after it).
std::optional<std::pair<double, std::size_t>> plain_decimal(std::string_view text) {
  static constexpr double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  std::size_t k = text[0] == '-' ? 1 : 0;
  std::uint64_t mantissa = 0;
  int digits = 0, fraction = 0;
  auto run = [&](int& count) {
    std::size_t from = k;
    for (; k < text.size() && text[k] >= '0' && text[k] <= '9'; ++k, ++count, ++digits)
      if (digits < 16) mantissa = mantissa * 10 + static_cast<std::uint64_t>(text[k] - '0');
    return k > from;
  };
  int whole = 0;
  if (!run(whole)) return std::nullopt;
  if (k < text.size() && text[k] == '.') {
    ++k;
    if (!run(fraction)) return std::nullopt;
  }
  if (digits > 15) return std::nullopt;
  // strtod would read on into an exponent, or a hex number after "0x"; before anything else
  // (a second point, a unit, a letter) it stops where this did.
  if (k < text.size() && (text[k] == 'e' || text[k] == 'E')) return std::nullopt;
  if (k < text.size() && (text[k] == 'x' || text[k] == 'X') && whole == 1 && fraction == 0 && mantissa == 0)
    return std::nullopt;
  double v = static_cast<double>(mantissa) / powers[fraction];
  return std::pair{text[0] == '-' ? -v : v, k};
}

}  // namespace

std::optional<double> number_of(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  double v = 0;
  std::string_view unit;
  char copy[65];  // strtod reads up to a NUL: a copy on the stack, as this runs per ctx value
  if (auto fast = plain_decimal(text)) {
    v = fast->first;
    unit = text.substr(fast->second);
    unit = unit.substr(0, unit.find('\0'));  // where strtod's copy would end
  } else {
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    char* end = nullptr;
    v = std::strtod(copy, &end);
    if (end == copy) return std::nullopt;
    unit = std::string_view(end);
  }
  static constexpr std::pair<std::string_view, double> units[] = {
      {"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
      {"us", 0.001}, {"\xC2\xB5s", 0.001}, {"ns", 0.000001}};
  for (auto [name, scale] : units)
    if (unit == name) return v * scale;
  return std::nullopt;
}

}  // namespace edgelog::detail
