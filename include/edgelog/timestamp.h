// Event timestamps: RFC 3339 with any offset, or epoch milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgelog {

/// Parses RFC 3339 (`2026-01-15T10:30:00.123+02:00`, `Z`, `z`, a space for `T`, up to nine
/// fraction digits) to epoch milliseconds, or nullopt when the text is not such a timestamp.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

/// "2026-01-15T10:30:00.123Z": epoch milliseconds as RFC 3339 in UTC with milliseconds.
std::string format_rfc3339(std::int64_t epoch_ms);

/// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace edgelog
