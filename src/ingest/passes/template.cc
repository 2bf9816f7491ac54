// Scanners for the variable parts of log messages. Each scanner answers the length it matches at
// a position (0 for no match); template_message tries them in order at every token start.
#include "edgelog/ingest/passes/template.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace edgelog {
namespace {

using sv = std::string_view;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool is_word(char c) { return is_alnum(c) || c == '_'; }

// Characters that may continue a URL.
constexpr bool is_url_char(char c) {
  return is_alnum(c) || (c != '"' && c != '\'' && c != '<' && c != '>' && c != ' ' && c != '\t' &&
                         c != '\n' && c != '`' && c != ')' && c != ']' && c != '}' && c != ',' &&
                         static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
}

std::size_t run_of(sv s, std::size_t i, bool (*pred)(char)) {
  std::size_t j = i;
  while (j < s.size() && pred(s[j])) ++j;
  return j - i;
}

// Trailing punctuation is not part of a token: "see http://x.io/a." ends before the dot.
std::size_t trim_trailing(sv s, std::size_t start, std::size_t end) {
  while (end > start && (s[end - 1] == '.' || s[end - 1] == ',' || s[end - 1] == ';' ||
                         s[end - 1] == ':' || s[end - 1] == '!' || s[end - 1] == '?'))
    --end;
  return end - start;
}

// The token ends here: not followed by a word character (or a dot and a word character).
bool ends_at(sv s, std::size_t j) {
  if (j >= s.size()) return true;
  if (is_word(s[j])) return false;
  if ((s[j] == '.' || s[j] == '-') && j + 1 < s.size() && is_alnum(s[j + 1])) return false;
  return true;
}

constexpr std::array<sv, 38> tlds = {
    "com", "org", "net", "io", "dev", "app", "co", "ai", "edu", "gov", "mil", "int", "info", "biz",
    "cloud", "local", "internal", "lan", "svc", "cluster", "example", "test", "localhost", "uk",
    "de", "fr", "nl", "eu", "us", "ca", "jp", "cn", "ru", "br", "in", "au", "ch", "se"};

std::size_t match_email(sv s, std::size_t i) {
  std::size_t local = 0;
  while (i + local < s.size() && (is_alnum(s[i + local]) || s[i + local] == '.' || s[i + local] == '_' ||
                                  s[i + local] == '+' || s[i + local] == '-'))
    ++local;
  if (local == 0 || i + local >= s.size() || s[i + local] != '@') return 0;
  std::size_t j = i + local + 1, dots = 0, label = 0;
  while (j < s.size() && (is_alnum(s[j]) || s[j] == '-' || s[j] == '.')) {
    if (s[j] == '.') {
      if (label == 0) return 0;
      ++dots;
      label = 0;
    } else {
      ++label;
    }
    ++j;
  }
  std::size_t len = trim_trailing(s, i, j);
  return dots >= 1 && s[i + len - 1] != '-' && s.substr(i + local + 1, len - local - 1).find('.') != sv::npos ? len : 0;
}

std::size_t match_url(sv s, std::size_t i) {
  std::size_t scheme = run_of(s, i, [](char c) { return is_alnum(c) || c == '+' || c == '.' || c == '-'; });
  if (scheme < 2 || scheme > 10 || !is_alpha(s[i]) || s.substr(i + scheme, 3) != "://") return 0;
  std::size_t j = i + scheme + 3;
  std::size_t rest = run_of(s, j, is_url_char);
  if (rest == 0) return 0;
  return trim_trailing(s, i, j + rest);
}

std::size_t match_uuid(sv s, std::size_t i) {
  static constexpr std::size_t groups[] = {8, 4, 4, 4, 12};
  std::size_t j = i;
  for (std::size_t g = 0; g < 5; ++g) {
    for (std::size_t k = 0; k < groups[g]; ++k, ++j)
      if (j >= s.size() || !is_hex(s[j])) return 0;
    if (g < 4) {
      if (j >= s.size() || s[j] != '-') return 0;
      ++j;
    }
  }
  return ends_at(s, j) ? j - i : 0;
}

std::size_t match_ipv4(sv s, std::size_t i) {
  std::size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    std::size_t n = run_of(s, j, [](char c) { return is_digit(c); });
    if (n == 0 || n > 3) return 0;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) v = v * 10 + (s[j + k] - '0');
    if (v > 255) return 0;
    j += n;
    if (octet < 3) {
      if (j >= s.size() || s[j] != '.') return 0;
      ++j;
    }
  }
  if (j < s.size() && s[j] == ':' && j + 1 < s.size() && is_digit(s[j + 1]))  // a port
    j += 1 + run_of(s, j + 1, [](char c) { return is_digit(c); });
  return ends_at(s, j) ? j - i : 0;
}

std::size_t match_ipv6(sv s, std::size_t i) {
  // Hex groups separated by ':' with at least two colons and one '::' or seven colons.
  std::size_t j = i, colons = 0, groups = 0;
  bool double_colon = false;
  while (j < s.size()) {
    std::size_t n = run_of(s, j, [](char c) { return is_hex(c); });
    if (n > 4) return 0;
    if (n) ++groups;
    j += n;
    if (j < s.size() && s[j] == ':') {
      if (j + 1 < s.size() && s[j + 1] == ':') {
        if (double_colon) return 0;
        double_colon = true;
        colons += 2;
        j += 2;
      } else {
        ++colons;
        ++j;
      }
    } else {
      break;
    }
  }
  if (colons < 2 || groups < 2 || (!double_colon && colons != 7)) return 0;
  while (j > i && s[j - 1] == ':' && !(j >= 2 && s[j - 2] == ':')) --j;  // "a:b:" trailing colon
  return ends_at(s, j) ? j - i : 0;
}

std::size_t match_hex(sv s, std::size_t i, bool& is_hash) {
  if (s.substr(i, 2) == "0x" || s.substr(i, 2) == "0X") {
    std::size_t n = run_of(s, i + 2, [](char c) { return is_hex(c); });
    is_hash = false;
    return n && ends_at(s, i + 2 + n) ? n + 2 : 0;
  }
  std::size_t n = run_of(s, i, [](char c) { return is_hex(c); });
  if (n < 16 || !ends_at(s, i + n)) return 0;
  bool digit = false, letter = false;
  for (std::size_t k = 0; k < n; ++k) (is_digit(s[i + k]) ? digit : letter) = true;
  is_hash = n == 32 || n == 40 || n == 64;
  if (!is_hash && !(digit && letter)) return 0;
  return n;
}

std::size_t digits_at(sv s, std::size_t i, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k)
    if (i + k >= s.size() || !is_digit(s[i + k])) return 0;
  return n;
}

// 2026-11-22, 2026-11-22T10:30:00(.123)(Z|±hh:mm), 2026/11/22 10:30:00
std::size_t match_iso_date(sv s, std::size_t i) {
  if (!digits_at(s, i, 4) || i + 10 > s.size() || (s[i + 4] != '-' && s[i + 4] != '/') ||
      !digits_at(s, i + 5, 2) || s[i + 7] != s[i + 4] || !digits_at(s, i + 8, 2))
    return 0;
  std::size_t j = i + 10;
  if (j + 8 < s.size() + 0 && (s[j] == 'T' || s[j] == ' ') && digits_at(s, j + 1, 2) && s[j + 3] == ':' &&
      digits_at(s, j + 4, 2)) {
    j += 6;
    if (j + 2 < s.size() + 0 && s[j] == ':' && digits_at(s, j + 1, 2)) j += 3;
    if (j < s.size() && (s[j] == '.' || s[j] == ',')) j += 1 + run_of(s, j + 1, [](char c) { return is_digit(c); });
    if (j < s.size() && (s[j] == 'Z' || s[j] == 'z')) {
      ++j;
    } else if (j + 5 < s.size() + 1 && (s[j] == '+' || s[j] == '-') && digits_at(s, j + 1, 2)) {
      j += 3;
      if (j < s.size() && s[j] == ':') ++j;
      j += digits_at(s, j, 2);
    }
  }
  return ends_at(s, j) ? j - i : 0;
}

// RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT"
std::size_t match_rfc1123(sv s, std::size_t i) {
  static constexpr sv days[] = {"Mon, ", "Tue, ", "Wed, ", "Thu, ", "Fri, ", "Sat, ", "Sun, "};
  bool day = false;
  for (sv d : days) day |= s.substr(i, 5) == d;
  if (!day || !digits_at(s, i + 5, 2) || i + 29 > s.size()) return 0;
  sv rest = s.substr(i + 7, 22);  // " Nov 1994 08:49:37 GMT"
  if (rest[0] != ' ' || rest[4] != ' ' || !digits_at(rest, 5, 4) || rest[9] != ' ' ||
      !digits_at(rest, 10, 2) || rest[12] != ':' || rest.substr(19, 3) != "GMT")
    return 0;
  return 29;
}

std::size_t match_host(sv s, std::size_t i) {
  if (!is_alnum(s[i])) return 0;
  std::size_t j = i, dots = 0, last_label = i;
  while (j < s.size() && (is_alnum(s[j]) || s[j] == '-' || s[j] == '.')) {
    if (s[j] == '.') {
      if (j + 1 >= s.size() || !is_alnum(s[j + 1])) break;
      ++dots;
      last_label = j + 1;
    }
    ++j;
  }
  if (dots == 0 || !ends_at(s, j)) return 0;
  sv tld = s.substr(last_label, j - last_label);
  for (sv t : tlds)
    if (tld.size() == t.size()) {
      bool same = true;
      for (std::size_t k = 0; k < t.size(); ++k) same &= (tld[k] | 0x20) == t[k];
      if (same) return j - i;
    }
  return 0;
}

// A number (int or float), and whether a duration unit follows.
std::size_t match_number(sv s, std::size_t i, bool& is_float, std::size_t& unit) {
  std::size_t j = i;
  if (s[j] == '-' || s[j] == '+') ++j;
  std::size_t n = run_of(s, j, [](char c) { return is_digit(c); });
  if (n == 0) return 0;
  j += n;
  is_float = false;
  if (j + 1 < s.size() && s[j] == '.' && is_digit(s[j + 1])) {
    is_float = true;
    j += 1 + run_of(s, j + 1, [](char c) { return is_digit(c); });
  }
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E') && j + 1 < s.size() &&
      (is_digit(s[j + 1]) || ((s[j + 1] == '-' || s[j + 1] == '+') && j + 2 < s.size() && is_digit(s[j + 2])))) {
    is_float = true;
    j += 2 + run_of(s, j + 2, [](char c) { return is_digit(c); });
  }
  static constexpr sv units[] = {"ns", "us", "\xc2\xb5s", "ms", "s", "sec", "secs", "seconds", "m", "min", "mins", "minutes", "h", "hr", "hrs", "hours", "d", "days"};
  unit = 0;
  std::size_t k = j;
  if (k < s.size() && s[k] == ' ') ++k;  // "120 ms"
  std::size_t alpha = run_of(s, k, [](char c) { return is_alpha(c) || c == '\xc2' || c == '\xb5'; });
  for (sv u : units)
    if (alpha == u.size() && s.substr(k, alpha) == u && ends_at(s, k + alpha)) unit = k + alpha - j;
  if (!unit && !ends_at(s, j)) return 0;
  return j - i;
}

// `key=value`, `key="value"`, `key='value'`: the value, quotes included. A quoted value ends on
// its line; a bare value never starts with '<', so placeholders stay as they are.
std::size_t match_assigned_value(sv s, std::size_t i) {
  if (i == 0 || s[i - 1] != '=' || s[i] == '<') return 0;
  char q = s[i];
  if (q == '"' || q == '\'') {
    std::size_t end = s.find_first_of(q == '"' ? "\"\n" : "'\n", i + 1);
    return end == sv::npos || s[end] == '\n' ? 0 : end - i + 1;
  }
  std::size_t n = run_of(s, i, [](char c) { return c != ' ' && c != ',' && c != ';' && c != '&' && c != ')' && c != '\t' && c != '\n' && c != '<'; });
  return trim_trailing(s, i, i + n);
}

}  // namespace

std::string template_message(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    bool boundary = i == 0 || !is_word(s[i - 1]);
    if (!boundary || c == ' ') {
      out.push_back(c);
      ++i;
      continue;
    }
    auto emit = [&](sv placeholder, std::size_t len) {
      out.append(placeholder);
      i += len;
    };
    if (std::size_t n = match_assigned_value(s, i)) {
      emit("<value>", n);
      continue;
    }
    std::size_t n = 0;
    bool is_hash = false, is_float = false;
    std::size_t unit = 0;
    if (is_alnum(c) && (n = match_email(s, i))) emit("<email>", n);
    else if (is_alpha(c) && (n = match_url(s, i))) emit("<url>", n);
    else if (is_hex(c) && (n = match_uuid(s, i))) emit("<uuid>", n);
    else if (is_digit(c) && (n = match_ipv4(s, i))) emit("<ip>", n);
    else if ((is_hex(c) || c == ':') && (n = match_ipv6(s, i))) emit("<ip>", n);
    else if (is_hex(c) && (n = match_hex(s, i, is_hash))) emit(is_hash ? "<hash>" : "<hex>", n);
    else if (is_digit(c) && (n = match_iso_date(s, i))) emit("<date>", n);
    else if (is_alpha(c) && (n = match_rfc1123(s, i))) emit("<date>", n);
    else if (is_alnum(c) && (n = match_host(s, i))) emit("<host>", n);
    else if ((is_digit(c) || ((c == '-' || c == '+') && i + 1 < s.size() && is_digit(s[i + 1]) &&
                              (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '=' || s[i - 1] == ':'))) &&
             (n = match_number(s, i, is_float, unit))) {
      std::size_t digits = n - (c == '-' || c == '+');
      if (unit) emit("<duration>", n + unit);
      else if (!is_float && (digits == 10 || digits == 13)) emit("<ts>", n);
      else emit(is_float ? "<float>" : "<int>", n);
    } else if (is_word(c)) {
      // A word no scanner claimed is copied whole, so nothing inside it (user-42, v1.2.3) is
      // templated on this pass or any later one.
      std::size_t j = i;
      while (j < s.size() && (is_word(s[j]) || ((s[j] == '-' || s[j] == '.') && j + 1 < s.size() && is_word(s[j + 1])))) ++j;
      out.append(s.substr(i, j - i));
      i = j;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace edgelog
