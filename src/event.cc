// Level names and synonyms: the one place they are defined.
#include "edgelog/event.h"

namespace edgelog {
namespace {

constexpr std::string_view level_names[] = {"trace", "debug", "info", "warn", "error", "fatal"};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view level_name(level l) noexcept { return level_names[static_cast<int>(l)]; }

std::optional<level> parse_level(std::string_view text) noexcept {
  static constexpr std::pair<std::string_view, level> names[] = {
      {"trace", level::trace},     {"debug", level::debug},      {"info", level::info},
      {"warn", level::warn},       {"error", level::error},      {"fatal", level::fatal},
      {"warning", level::warn},    {"err", level::error},        {"critical", level::fatal},
      {"crit", level::fatal},      {"emerg", level::fatal},      {"emergency", level::fatal},
      {"alert", level::fatal},     {"panic", level::fatal},      {"notice", level::info},
      {"information", level::info}, {"informational", level::info}, {"verbose", level::debug},
      {"dbg", level::debug},       {"finest", level::trace},     {"fine", level::debug},
      {"severe", level::error},
  };
  for (const auto& [name, l] : names)
    if (iequals(text, name)) return l;
  return std::nullopt;
}

std::optional<level> level_from_severity(std::int64_t number) noexcept {
  if (number < 1 || number > 24) return std::nullopt;
  return static_cast<level>((number - 1) / 4);
}

}  // namespace edgelog
