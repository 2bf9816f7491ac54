// Scanners for secrets inside strings and the key-word test for structured fields.
#include "edgelog/ingest/passes/redact.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "detail/crypto.h"
#include "detail/distinct_strings.h"
#include "detail/json_text.h"

namespace edgelog {
namespace {

using sv = std::string_view;

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || is_upper(c); }
constexpr bool is_b64url(char c) { return is_alnum(c) || c == '-' || c == '_'; }
constexpr bool is_token_char(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='; }

bool iequals(sv a, sv b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool istarts(sv s, std::size_t i, sv p) { return s.size() >= i + p.size() && iequals(s.substr(i, p.size()), p); }

constexpr sv default_words[] = {"password", "passwd", "pwd", "secret", "token", "apikey", "auth",
                                "authorization", "credential", "credentials", "cookie", "session",
                                "privatekey", "csrf", "xsrf", "otp", "setcookie", "passphrase"};

constexpr std::uint32_t letter_mask(sv s) {
  std::uint32_t m = 0;
  for (char c : s)
    if (c >= 'a' && c <= 'z') m |= 1u << (c - 'a');
  return m;
}

constexpr auto default_word_masks = [] {
  std::array<std::uint32_t, std::size(default_words)> masks{};
  for (std::size_t i = 0; i < masks.size(); ++i) masks[i] = letter_mask(default_words[i]);
  return masks;
}();

std::vector<std::string> words_of(sv key) {
  std::vector<std::string> words;
  std::string cur;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool sep = c == '_' || c == '-' || c == '.' || c == ' ';
    bool camel = is_upper(c) && i > 0 && !is_upper(key[i - 1]) && !cur.empty();
    if (sep || camel) {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
      if (sep) continue;
    }
    cur.push_back(lower(c));
  }
  if (!cur.empty()) words.push_back(cur);
  std::size_t n = words.size();
  for (std::size_t i = 0; i + 1 < n; ++i) words.push_back(words[i] + words[i + 1]);
  return words;
}

// Luhn over the digits of s[i, i+len), which may hold spaces or dashes between groups.
bool luhn(sv digits) {
  int sum = 0;
  bool dbl = false;
  for (std::size_t k = digits.size(); k-- > 0;) {
    int d = digits[k] - '0';
    if (dbl && (d *= 2) > 9) d -= 9;
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

// A card number at i: 13–19 digits, optionally in groups separated by one space or dash.
std::size_t match_card(sv s, std::size_t i) {
  if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '-')) return 0;
  std::string digits;
  std::size_t j = i, last_digit_end = i;
  while (j < s.size() && digits.size() < 19) {
    if (is_digit(s[j])) {
      digits.push_back(s[j]);
      last_digit_end = ++j;
    } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < s.size() && is_digit(s[j + 1]) && !digits.empty()) {
      ++j;
    } else {
      break;
    }
  }
  if (last_digit_end < s.size() && is_alnum(s[last_digit_end])) return 0;
  if (digits.size() < 13 || !luhn(digits)) return 0;
  return last_digit_end - i;
}

// An IBAN at i: country letters, check digits, 11–30 alphanumerics (grouped by spaces or not),
// valid under ISO 13616 mod 97.
std::size_t match_iban(sv s, std::size_t i) {
  if (i + 15 > s.size() || !is_upper(s[i]) || !is_upper(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
    return 0;
  if (i > 0 && is_alnum(s[i - 1])) return 0;
  std::string chars;
  std::size_t j = i, end = i;
  while (j < s.size() && chars.size() < 34) {
    if (is_digit(s[j]) || is_upper(s[j])) {
      chars.push_back(s[j]);
      end = ++j;
    } else if (s[j] == ' ' && j + 1 < s.size() && (is_digit(s[j + 1]) || is_upper(s[j + 1])) && (chars.size() % 4 == 0)) {
      ++j;
    } else {
      break;
    }
  }
  if (chars.size() < 15 || (end < s.size() && is_alnum(s[end]))) return 0;
  std::string rotated = chars.substr(4) + chars.substr(0, 4);
  int rem = 0;
  for (char c : rotated) {
    int v = is_digit(c) ? c - '0' : c - 'A' + 10;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem == 1 ? end - i : 0;
}

std::size_t match_jwt(sv s, std::size_t i) {
  if (s.substr(i, 3) != "eyJ" || (i > 0 && is_b64url(s[i - 1]))) return 0;
  std::size_t j = i, dots = 0, seg = 0;
  while (j < s.size() && (is_b64url(s[j]) || s[j] == '.')) {
    if (s[j] == '.') {
      if (seg < 4) return 0;
      ++dots;
      seg = 0;
    } else {
      ++seg;
    }
    ++j;
  }
  return dots == 2 && seg >= 4 ? j - i : 0;
}

std::size_t match_pem(sv s, std::size_t i) {
  if (s.substr(i, 11) != "-----BEGIN ") return 0;
  std::size_t header_end = s.find("-----", i + 11);
  if (header_end == sv::npos || s.substr(i, header_end - i).find("PRIVATE KEY") == sv::npos) return 0;
  std::size_t end = s.find("-----END ", header_end + 5);
  if (end == sv::npos) return s.size() - i;  // a truncated key is still a key
  std::size_t close = s.find("-----", end + 9);
  return close == sv::npos ? s.size() - i : close + 5 - i;
}

std::size_t match_email(sv s, std::size_t i) {
  if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.')) return 0;
  std::size_t j = i;
  while (j < s.size() && (is_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '+' || s[j] == '-')) ++j;
  if (j == i || j >= s.size() || s[j] != '@') return 0;
  std::size_t k = ++j, dots = 0;
  while (k < s.size() && (is_alnum(s[k]) || s[k] == '-' || (s[k] == '.' && k + 1 < s.size() && is_alnum(s[k + 1])))) dots += s[k++] == '.';
  return dots && k > j ? k - i : 0;
}

std::size_t match_ipv4(sv s, std::size_t i) {
  if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.')) return 0;
  std::size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    std::size_t n = 0;
    int v = 0;
    while (j < s.size() && is_digit(s[j]) && n < 3) v = v * 10 + (s[j++] - '0'), ++n;
    if (n == 0 || v > 255) return 0;
    if (octet < 3) {
      if (j >= s.size() || s[j] != '.') return 0;
      ++j;
    }
  }
  return j < s.size() && (is_alnum(s[j]) || s[j] == '.') ? 0 : j - i;
}

}  // namespace

bool is_sensitive_key(std::string_view key, const scrub_options& options) {
  if (!options.enabled) return false;
  if (options.extra_keys.empty() && key.size() <= 64) {
    // Most keys contain no sensitive word even as a substring: decide those without allocating.
    // A word can only be inside a key that has all of its letters: test that with bit masks
    // first, so most keys are decided without a copy or a substring search.
    std::uint32_t letters = 0;
    for (char c : key) {
      char l = lower(c);
      if (l >= 'a' && l <= 'z') letters |= 1u << (l - 'a');
    }
    std::size_t w = 0;
    while (w < std::size(default_words) && (default_word_masks[w] & ~letters) != 0) ++w;
    if (w == std::size(default_words)) return false;
    char buf[64];
    std::size_t n = 0;
    for (char c : key)
      if (c != '_' && c != '-' && c != '.' && c != ' ') buf[n++] = lower(c);
    sv flat(buf, n);
    bool candidate = false;
    for (; w < std::size(default_words) && !candidate; ++w)
      candidate = (default_word_masks[w] & ~letters) == 0 && flat.find(default_words[w]) != sv::npos;
    if (!candidate) return false;
  }
  for (const auto& allowed : options.allow_keys)
    if (iequals(key, allowed)) return false;
  for (const auto& word : words_of(key)) {
    for (sv w : default_words)
      if (word == w) return true;
    for (const auto& extra : options.extra_keys)
      if (iequals(word, extra) || iequals(key, extra)) return true;
  }
  return false;
}

std::string filtered(std::string_view value, const scrub_options& options) {
  if (!options.hash) return "[Filtered]";
  return "[Filtered:" + detail::to_hex(detail::sha256(value)).substr(0, 16) + "]";
}

// The identifier just before position `eq` (an '='), e.g. "password" in "x password=…".
sv identifier_before(sv s, std::size_t eq) {
  std::size_t start = eq;
  while (start > 0 && (is_alnum(s[start - 1]) || s[start - 1] == '_' || s[start - 1] == '-' || s[start - 1] == '.')) --start;
  return s.substr(start, eq - start);
}

// Where `key=value` starts a value to mask: after '=' and a sensitive key.
bool sensitive_assignment(sv s, std::size_t eq, const scrub_options& options) {
  sv key = identifier_before(s, eq);
  return !key.empty() && eq + 1 < s.size() && s[eq + 1] != ' ' && s[eq + 1] != '&' && is_sensitive_key(key, options);
}

// The characters may_hold_secrets looks at: digits, upper case (IBANs, "J" of a JWT's "eyJ", "B"
// of Bearer), "b" of bearer, '@', ':', '=', '-'. Everything else is skipped in a tight loop.
constexpr auto cue_chars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : {'b', '@', ':', '=', '-'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool may_hold_secrets(std::string_view s, const scrub_options& options) noexcept {
  if (!options.enabled || s.empty()) return false;
  if (!options.patterns.empty() || options.mask_emails || options.mask_ips) return true;
  // One pass over the cues scrub_text's matchers start from. Cards need 13+ digits in one run
  // (single spaces or dashes may separate groups) that pass match_card at one of the places
  // scrub_text would try: a 13-digit epoch-ms time does not.
  std::size_t run = 0, run_start = 0;
  bool at = false, scheme = false;
  auto card_in_run = [&](std::size_t end) {
    for (std::size_t i = run_start; i < end; ++i)
      if (is_digit(s[i]) && (i == 0 || !(is_alnum(s[i - 1]) || s[i - 1] == '-')) && match_card(s, i)) return true;
    return false;
  };
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!run)
      while (i < n && !cue_chars[static_cast<unsigned char>(s[i])]) ++i;
    if (i >= n) break;
    char c = s[i];
    if (is_digit(c)) {
      if (!run) run_start = i;
      ++run;
      continue;
    }
    if (run && !((c == ' ' || c == '-') && i + 1 < n && is_digit(s[i + 1]))) {
      if (run >= 13 && card_in_run(i)) return true;
      run = 0;
    }
    switch (c) {
      case '@': at = true; break;
      case ':': scheme |= s.substr(i, 3) == "://"; break;
      case '=': if (sensitive_assignment(s, i, options)) return true; break;
      case '-': if (s.substr(i, 10) == "-----BEGIN") return true; break;
      case 'b': if (istarts(s, i, "bearer ")) return true; break;
      default:
        if (c == 'J' && i >= 2 && s[i - 2] == 'e' && s[i - 1] == 'y') return true;
        if (c == 'B' && istarts(s, i, "bearer ")) return true;
        if (is_upper(c) && i + 3 < n && is_upper(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 3])) return true;
    }
  }
  if (run >= 13 && card_in_run(n)) return true;
  return at && scheme;
}

bool may_need_scrubbing(std::string_view json, const scrub_options& options, detail::distinct_strings* clean_keys,
                        detail::distinct_strings* clean_values) {
  if (!options.enabled) return false;
  // One pass over the strings of the JSON text, quote to quote (a quote preceded by an odd number
  // of backslashes is escaped). A string followed by ':' is a key, judged as is_sensitive_key
  // judges it (a key with an escape inside is taken as a candidate); any other string is a value,
  // tested as scrub_text would scan it. Numbers and literals are never scrubbed but under a
  // sensitive key. The cues may_hold_secrets looks for are printable ASCII, which the reader's
  // JSON never escapes.
  for (std::size_t i = json.find('"'); i != sv::npos; i = json.find('"', i + 1)) {
    std::size_t end = detail::json_string_end(json, i);
    if (end == sv::npos) return true;  // not the JSON the reader writes: check it the slow way
    sv text = json.substr(i + 1, end - i - 1);
    bool key = end + 1 < json.size() && json[end + 1] == ':';
    i = end;
    if (key && text.find('\\') != sv::npos) return true;
    detail::distinct_strings* clean = key ? clean_keys : clean_values;
    if (clean && clean->contains(text)) continue;
    if (key ? is_sensitive_key(text, options) : may_hold_secrets(text, options)) return true;
    if (clean) clean->insert(text);
  }
  return false;
}

std::size_t scrub_text(std::string_view s, std::string& out, const scrub_options& options) {
  out.clear();
  if (!may_hold_secrets(s, options)) {
    out.assign(s);
    return 0;
  }
  std::size_t count = 0, i = 0;
  auto mask = [&](std::size_t len, sv replacement_prefix = {}) {
    out.append(replacement_prefix);
    out += filtered(s.substr(i, len), options);
    i += len;
    ++count;
  };
  while (i < s.size()) {
    char c = s[i];
    std::size_t n = 0;
    bool literal = false;
    for (const auto& p : options.patterns)
      if (!p.empty() && s.substr(i, p.size()) == p) {
        mask(p.size());
        literal = true;
        break;
      }
    if (literal) continue;
    if ((c == 'B' || c == 'b') && istarts(s, i, "bearer ") && (i == 0 || !is_alnum(s[i - 1]))) {
      std::size_t j = i + 7;
      while (j < s.size() && is_token_char(s[j])) ++j;
      if (j - (i + 7) >= 8) {
        out.append(s.substr(i, 7));
        i += 7;
        mask(j - i);
        continue;
      }
    }
    if (c == 'e' && (n = match_jwt(s, i))) { mask(n); continue; }
    if (c == '-' && (n = match_pem(s, i))) { mask(n); continue; }
    if (is_digit(c) && (n = match_card(s, i))) { mask(n); continue; }
    if (is_upper(c) && (n = match_iban(s, i))) { mask(n); continue; }
    if (c == ':' && s.substr(i, 3) == "://") {
      // scheme://user:password@host: mask the password only.
      std::size_t user = i + 3, j = user;
      while (j < s.size() && s[j] != '/' && s[j] != '@' && s[j] != ' ' && s[j] != ':') ++j;
      if (j < s.size() && s[j] == ':' && j > user) {
        std::size_t k = j + 1;
        while (k < s.size() && s[k] != '@' && s[k] != '/' && s[k] != ' ') ++k;
        if (k < s.size() && s[k] == '@' && k > j + 1) {
          out.append(s.substr(i, j + 1 - i));
          i = j + 1;
          mask(k - i);
          continue;
        }
      }
    }
    if (c == '=' && sensitive_assignment(s, i, options)) {
      // password=hunter2, api_key=…: the value goes, the key stays.
      out.push_back('=');
      ++i;
      auto value_end = [&](std::size_t j) {
        while (j < s.size() && s[j] != ' ' && s[j] != '&' && s[j] != ';' && s[j] != ',' && s[j] != '"' && s[j] != '\'' &&
               s[j] != ')' && s[j] != '\n' && s[j] != '\\')
          ++j;
        return j;
      };
      std::size_t j = value_end(i);
      // token=Bearer abc…: an auth scheme is followed by the credential itself.
      if (j + 1 < s.size() && s[j] == ' ' && (iequals(s.substr(i, j - i), "bearer") || iequals(s.substr(i, j - i), "basic")))
        j = value_end(j + 1);
      mask(j - i);
      continue;
    }
    if (options.mask_emails && is_alnum(c) && (n = match_email(s, i))) { out += "[email]"; i += n; ++count; continue; }
    if (options.mask_ips && is_digit(c) && (n = match_ipv4(s, i))) { out += "[ip]"; i += n; ++count; continue; }
    out.push_back(c);
    ++i;
  }
  return count;
}

}  // namespace edgelog
