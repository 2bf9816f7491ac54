// Numbers and durations in text: the fast path reads exactly what strtod reads.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "detail/number_text.h"

namespace {

using edgelog::detail::number_of;
using namespace std::literals;

// number_of as it was, through strtod alone: the reference.
std::optional<double> by_strtod(std::string_view text) {
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

bool same(std::optional<double> a, std::optional<double> b) {
  if (!a || !b) return !a && !b;
  if (std::isnan(*a) || std::isnan(*b)) return std::isnan(*a) && std::isnan(*b);
  return std::memcmp(&*a, &*b, sizeof(double)) == 0;  // -0 is not 0
}

}  // namespace

TEST_CASE("reads numbers and durations") {
  CHECK(number_of("120") == 120.0);
  CHECK(number_of("-5.25") == -5.25);
  CHECK(number_of("1.5s") == 1500.0);
  CHECK(number_of("250ms") == 250.0);
  CHECK(number_of("2m") == 120'000.0);
  CHECK(number_of("1e3") == 1000.0);
  CHECK(number_of("0x10") == 16.0);
  CHECK_FALSE(number_of("2026-12-07T05:00:00Z"));
  CHECK_FALSE(number_of("ord_1"));
  CHECK_FALSE(number_of(std::string(65, '1')));
}

TEST_CASE("the fast path answers what strtod answers, bit for bit") {
  const std::string_view cases[] = {"0"sv, "-0"sv, "0.1"sv, "8511.99"sv, "123456789012345"sv, "1234567890123456"sv,
                                    "0.000000000000001"sv, "999999999999999.9"sv, "1."sv, ".5"sv, "-.5"sv, "+1"sv, " 7"sv,
                                    "1.5.3"sv, "12e"sv, "1e-7"sv, "0x1A"sv, "inf"sv, "nan"sv, "-"sv, "5\0abc"sv, "3min"sv,
                                    "4\xC2\xB5s"sv, "1_000"sv, "7 "sv, "00012.50s"sv, "1.2345678901234567"sv, "198.51.100.23"sv,
                                    "0x"sv, "-0x10"sv, "00x5"sv, "1.5e3s"sv, "12x"sv, "2026-12-07"sv};
  for (std::string_view text : cases)
    CHECK_MESSAGE(same(number_of(text), by_strtod(text)), text);
  std::mt19937 rng(7);
  const std::string_view alphabet = "0123456789012345678901234567890123456789..--+eExsmhdnu \0"sv;
  for (int round = 0; round < 200'000; ++round) {
    std::string text;
    int length = std::uniform_int_distribution<int>(1, 22)(rng);
    for (int k = 0; k < length; ++k) text.push_back(alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)]);
    if (!same(number_of(text), by_strtod(text))) {
      FAIL_CHECK("differs on '" << text << "'");
      break;
    }
  }
}
