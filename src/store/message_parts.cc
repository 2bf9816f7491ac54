// Messages split against their templates, and the templates split at their placeholders.
#include "store/message_parts.h"

#include <array>

namespace edgelog::detail {
namespace {

// The placeholders template_message writes (src/ingest/passes/template.cc).
constexpr std::array<std::string_view, 13> placeholders = {
    "<value>", "<email>", "<url>", "<uuid>", "<ip>", "<hash>", "<hex>",
    "<date>",  "<host>",  "<duration>", "<ts>", "<float>", "<int>"};

std::size_t placeholder_at(std::string_view s, std::size_t i) noexcept {
  for (auto p : placeholders)
    if (s.compare(i, p.size(), p) == 0) return p.size();
  return 0;
}

}  // namespace

void split_template(std::string_view tmpl, template_pieces& out) {
  out.literals.clear();
  out.integer.clear();
  std::size_t start = 0;
  for (std::size_t i = tmpl.find('<'); i != std::string_view::npos; i = tmpl.find('<', i)) {
    std::size_t n = placeholder_at(tmpl, i);
    if (!n) {
      ++i;
      continue;
    }
    out.literals.push_back(tmpl.substr(start, i - start));
    out.integer.push_back(tmpl.substr(i, n) == "<int>");
    i += n;
    start = i;
  }
  out.literals.push_back(tmpl.substr(start));
}

bool message_values(const template_pieces& tmpl, std::string_view message, std::vector<std::string_view>& out) {
  out.clear();
  const auto& lit = tmpl.literals;
  if (message.compare(0, lit[0].size(), lit[0]) != 0) return false;
  std::size_t at = lit[0].size();
  for (std::size_t k = 1; k < lit.size(); ++k) {
    // A value runs to the next occurrence of the text after it; the last one to the end. Two
    // placeholders side by side cannot be told apart.
    std::size_t end;
    if (k + 1 == lit.size() && lit[k].empty()) end = message.size();
    else if (lit[k].empty()) return false;
    else if (k + 1 == lit.size()) end = message.size() >= lit[k].size() ? message.size() - lit[k].size() : std::string_view::npos;
    else end = message.find(lit[k], at + 1);
    if (end == std::string_view::npos || end <= at) return false;
    out.push_back(message.substr(at, end - at));
    if (message.compare(end, lit[k].size(), lit[k]) != 0) return false;
    at = end + lit[k].size();
  }
  return at == message.size();
}

bool canonical_integer(std::string_view v) noexcept {
  if (v.empty() || v.size() > 19 || (v[0] == '0' && v.size() > 1)) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace edgelog::detail
