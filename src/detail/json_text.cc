#include "detail/json_text.h"

#include "detail/json_writer.h"

namespace edgelog::detail {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

bool is_hex(char c) noexcept { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A \uXXXX escape at text[i] (i at the backslash), or -1.
long escape_at(std::string_view text, std::size_t i) noexcept {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  for (std::size_t k = i + 2; k < i + 6; ++k)
    if (!is_hex(text[k])) return -1;
  return static_cast<long>(hex4(text.data() + i + 2));
}

}  // namespace

std::string lenient_json_string(std::string_view token) {
  std::string out;
  std::size_t i = token.find('"');
  if (i == std::string_view::npos) return out;
  ++i;
  out.reserve(token.size());
  while (i < token.size() && token[i] != '"') {
    char c = token[i];
    if (c != '\\') {
      out += c == '\0' ? std::string(replacement) : std::string(1, c);
      ++i;
      continue;
    }
    if (i + 1 >= token.size()) break;
    char e = token[i + 1];
    switch (e) {
      case '"': case '\\': case '/': out += e; i += 2; continue;
      case 'b': out += '\b'; i += 2; continue;
      case 'f': out += '\f'; i += 2; continue;
      case 'n': out += '\n'; i += 2; continue;
      case 'r': out += '\r'; i += 2; continue;
      case 't': out += '\t'; i += 2; continue;
      default: break;
    }
    long cp = escape_at(token, i);
    if (cp < 0) {  // an invalid escape: its backslash and letter become one replacement
      out += replacement;
      i += 2;
      continue;
    }
    i += 6;
    auto u = static_cast<unsigned>(cp);
    if (is_high_surrogate(u)) {
      long low = escape_at(token, i);
      if (low >= 0 && is_low_surrogate(static_cast<unsigned>(low))) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (static_cast<unsigned>(low) - 0xDC00));
        i += 6;
        continue;
      }
      out += replacement;
    } else if (is_low_surrogate(u) || u == 0) {
      out += replacement;
    } else {
      append_utf8(out, u);
    }
  }
  return out;
}

namespace {

// Where the \u escape at json[i] must be replaced (6 bytes), or npos; `next` is where to go on.
std::size_t bad_escape(std::string_view json, std::size_t i, std::size_t& next) noexcept {
  long cp = escape_at(json, i);
  if (cp < 0) {
    next = i + 2;
    return std::string_view::npos;
  }
  next = i + 6;
  auto u = static_cast<unsigned>(cp);
  if (u == 0 || is_low_surrogate(u)) return i;
  if (!is_high_surrogate(u)) return std::string_view::npos;
  long low = escape_at(json, i + 6);
  if (low >= 0 && is_low_surrogate(static_cast<unsigned>(low))) {
    next = i + 12;
    return std::string_view::npos;
  }
  return i;
}

}  // namespace

bool repair_unicode_escapes(std::string_view json, std::string& out) {
  bool copied = false;
  std::size_t i = json.find('\\');
  while (i != std::string_view::npos && i + 1 < json.size()) {
    std::size_t next = i + 2;
    std::size_t bad = json[i + 1] == 'u' ? bad_escape(json, i, next) : std::string_view::npos;
    if (bad != std::string_view::npos) {
      if (!copied) {
        out.assign(json);
        copied = true;
      }
      out.replace(bad, 6, "\\ufffd");
    }
    i = json.find('\\', next);
  }
  return copied;
}

std::string without_nul(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == '\0') out += replacement;
    else out += c;
  }
  return out;
}

void repair_utf8(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size() + text.size() / 8);
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    out.append(text.data() + start, i - start);
    if (i >= text.size()) break;
    std::size_t len = utf8_sequence_length(text.substr(i));
    if (len) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out.append(replacement);
      ++i;
    }
  }
}

}  // namespace edgelog::detail
