// A small recursive-descent JSON checker that copies what it checks. Most input is already in
// the output's form (minified, ASCII): the checker only marks where the output must differ
// (whitespace, non-ASCII strings, scrubbed or depth-limited values) and copies the unchanged
// stretches between those places whole.
#include "detail/json_rewrite.h"

#include "detail/json_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

namespace edgelog::detail {
namespace {

class rewriter {
 public:
  rewriter(std::string_view s, json_writer& w, int max_depth, rewrite_extras* extras)
      : p_(s.data()), end_(s.data() + s.size()), w_(&w), max_depth_(max_depth), extras_(extras) {}

  bool run() {
    skip_ws();
    if (!value(1)) return false;
    skip_ws();
    flush_to(p_);
    return p_ == end_;
  }

 private:
  static bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // Copies the unchanged input from the mark up to `to`, which becomes the mark.
  void flush_to(const char* to) {
    if (to > mark_) w_->raw(std::string_view(mark_, static_cast<std::size_t>(to - mark_)));
    mark_ = to;
  }

  void skip_ws() {
    if (p_ >= end_ || !is_ws(*p_)) return;
    flush_to(p_);
    while (p_ < end_ && is_ws(*p_)) ++p_;
    mark_ = p_;
  }

  bool value(int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{':
      case '[':
        if (depth > max_depth_) return skip_container();
        return *p_ == '{' ? object(depth) : array(depth);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  bool object(int depth) {
    ++p_;
    skip_ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      std::string_view key;
      if (p_ >= end_ || *p_ != '"' || !string(&key, /*is_key=*/true)) return false;
      skip_ws();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      if (extras_ && extras_->scrub && is_sensitive_key(key, *extras_->scrub)) {
        if (!filtered_value(depth + 1)) return false;
      } else {
        capture_ = extras_ && extras_->hints && depth <= 2 ? hint_slot(key) : nullptr;
        bool ok = value(depth + 1);
        capture_ = nullptr;
        if (!ok) return false;
      }
      skip_ws();
      if (p_ >= end_) return false;
      if (*p_ == '}') {
        ++p_;
          return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool array(int depth) {
    ++p_;
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (p_ >= end_) return false;
      if (*p_ == ']') {
        ++p_;
          return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  // Skips a too-deep container (brackets counted outside strings) and writes the marker.
  bool skip_container() {
    flush_to(p_);
    int level = 0;
    for (; p_ < end_; ++p_) {
      char c = *p_;
      if (c == '"') {
        for (++p_; p_ < end_ && *p_ != '"'; ++p_)
          if (*p_ == '\\') ++p_;
        if (p_ >= end_) return false;
      } else if (c == '{' || c == '[') {
        ++level;
      } else if (c == '}' || c == ']') {
        if (--level == 0) {
          ++p_;
          w_->string("[depth limit]");
          mark_ = p_;
          return true;
        }
      }
    }
    return false;
  }

  // Bytes a string's scan stops at: its end, escapes, control characters, non-ASCII.
  static constexpr auto string_special = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    for (int c = 0x80; c < 0x100; ++c) t[c] = true;
    t['"'] = t['\\'] = true;
    return t;
  }();

  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // Checks and discards a value under a sensitive key, writing the filtered marker instead.
  bool filtered_value(int depth) {
    const char* start = p_;
    flush_to(start);
    json_writer* real = w_;
    std::string scratch;
    json_writer discard(scratch);
    w_ = &discard;
    bool ok = value(depth);
    w_ = real;
    if (!ok) return false;
    mark_ = p_;
    w_->string(filtered(std::string_view(start, static_cast<std::size_t>(p_ - start)), *extras_->scrub));
    ++extras_->scrubbed;
    return true;
  }

  std::string* hint_slot(std::string_view key) {
    ctx_hints& h = *extras_->hints;
    if (key == "url" || key == "href") return h.url.empty() ? &h.url : nullptr;
    if (key == "path" || key == "pathname") return h.path.empty() ? &h.path : nullptr;
    if (key == "route") return h.route.empty() ? &h.route : nullptr;
    if (key == "method") return h.method.empty() ? &h.method : nullptr;
    if (key == "logger" || key == "logger_name") return h.logger.empty() ? &h.logger : nullptr;
    if (key == "component") return h.component.empty() ? &h.component : nullptr;
    if (key == "platform") return h.platform.empty() ? &h.platform : nullptr;
    return nullptr;
  }

  // Validates the string's escapes and control characters. A string of ASCII text stays as it is
  // in the input; any other is written through json_writer (decoded text is not needed: escapes
  // are copied as they are, everything else re-escaped). Values (not keys) are scrubbed when
  // scrubbing is on; `raw_out` receives the contents.
  bool string(std::string_view* raw_out = nullptr, bool is_key = false) {
    const char* quote = p_;
    const char* start = ++p_;
    bool escaped = false, ascii = true;
    for (; (p_ += plain_json_blocks(p_, end_)) < end_; ++p_) {
      auto c = static_cast<unsigned char>(*p_);
      if (!string_special[c]) continue;  // most bytes: one lookup
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      if (c != '\\') continue;
      escaped = true;
      if (++p_ >= end_) return false;
      switch (*p_) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
        case 'u': {
          if (end_ - p_ < 5 || !is_hex(p_[1]) || !is_hex(p_[2]) || !is_hex(p_[3]) || !is_hex(p_[4]))
            return false;
          std::size_t n = unicode_escape_length(p_ - 1);
          if (n == 0) ascii = false;  // repaired below
          p_ += n == 12 ? 10 : 4;     // a pair is one character
          break;
        }
        default: return false;
      }
    }
    if (p_ >= end_) return false;
    std::string_view text(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    if (raw_out) *raw_out = text;
    if (capture_ && !is_key) {
      capture_->assign(text.substr(0, 2048));
      capture_ = nullptr;
    }
    std::string scrubbed;
    if (!is_key && extras_ && extras_->scrub && may_hold_secrets(text, *extras_->scrub)) {
      std::size_t n = scrub_text(text, scrubbed, *extras_->scrub);
      if (n) {
        extras_->scrubbed += n;
        text = scrubbed;
        escaped = text.find('\\') != std::string_view::npos;
        ascii = false;  // changed: written below
      }
    }
    if (ascii) return true;  // the input's text is the output's
    flush_to(quote);
    mark_ = p_;
    if (!escaped) {
      w_->string(text);
      return true;
    }
    // Escapes are valid and ASCII: copy them; escape the rest as json_writer would.
    w_->ch('"');
    std::size_t i = 0;
    while (i < text.size()) {
      std::size_t next = text.find('\\', i);
      if (next == std::string_view::npos) next = text.size();
      w_->string_body(text.substr(i, next - i));
      if (next == text.size()) break;
      std::size_t len = 2;
      if (text[next + 1] == 'u') {
        len = unicode_escape_length(text.data() + next);
        if (len == 0) {  // a lone surrogate or U+0000
          w_->raw("\\ufffd");
          i = next + 6;
          continue;
        }
      }
      w_->raw(text.substr(next, len));
      i = next + len;
    }
    w_->ch('"');
    return true;
  }

  // The length of the \\u escape at p to copy as it is: 6, or 12 for a surrogate pair; 0 for one
  // to replace by \\ufffd (a lone surrogate, or U+0000, which some stores refuse).
  std::size_t unicode_escape_length(const char* p) const noexcept {
    unsigned cp = hex4(p + 2);
    if (cp == 0 || is_low_surrogate(cp)) return 0;
    if (!is_high_surrogate(cp)) return 6;
    const char* q = p + 6;
    if (end_ - q < 6 || q[0] != '\\' || q[1] != 'u' || !is_hex(q[2]) || !is_hex(q[3]) || !is_hex(q[4]) ||
        !is_hex(q[5]) || !is_low_surrogate(hex4(q + 2)))
      return 0;
    return 12;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  // A number; one beyond a double (1e400, which JSON readers make Infinity or refuse) is
  // written as null.
  bool number() {
    const char* start = p_;
    auto digit = [&] { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; };
    if (p_ < end_ && *p_ == '-') ++p_;
    if (!digit()) return false;
    long magnitude = 0;  // roughly the decimal exponent
    if (*p_ == '0') {
      ++p_;
    } else {
      while (digit()) ++p_, ++magnitude;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (!digit()) return false;
      while (digit()) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      bool negative = p_ < end_ && *p_ == '-';
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digit()) return false;
      long exponent = 0;
      for (; digit(); ++p_) exponent = std::min(exponent * 10 + (*p_ - '0'), 1'000'000L);
      magnitude += negative ? -exponent : exponent;
    }
    if (magnitude > 300 && std::isinf(std::strtod(std::string(start, p_).c_str(), nullptr))) {
      flush_to(start);
      w_->raw("null");
      mark_ = p_;
    }
    return true;
  }

  const char* p_;
  const char* end_;
  const char* mark_ = p_;  // input from here to p_ is output as it is, not yet written
  json_writer* w_;
  int max_depth_;
  rewrite_extras* extras_;
  std::string* capture_ = nullptr;  // where the next string value goes, for categorization
};

}  // namespace

bool rewrite_json(std::string_view raw, json_writer& w, int max_depth, rewrite_extras* extras) {
  return rewriter(raw, w, max_depth, extras).run();
}

}  // namespace edgelog::detail
