// Appends ASCII-only JSON: every non-ASCII code point leaves as \uXXXX, invalid UTF-8 as U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgelog::detail {

class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(out) {}

  void raw(std::string_view s) { out_.append(s); }
  void ch(char c) { out_.push_back(c); }
  void integer(std::int64_t v);
  void unsigned_integer(std::uint64_t v);
  /// The shortest decimal that reads back as `v` (finite values only).
  void number(double v);
  /// A JSON string literal of `s`, quotes included.
  void string(std::string_view s) {
    out_.push_back('"');
    string_body(s);
    out_.push_back('"');
  }
  /// The escaped contents of a string literal, without quotes.
  void string_body(std::string_view s);
  /// `"key":` — keys are our own ASCII names, never escaped.
  void key(std::string_view k) {
    out_.push_back('"');
    out_.append(k);
    out_.append("\":", 2);
  }
  /// `,"key":string` when `s` is non-empty.
  void optional_field(std::string_view k, std::string_view s) {
    if (s.empty()) return;
    out_.push_back(',');
    key(k);
    string(s);
  }

 private:
  void escape_code_unit(std::uint32_t u);
  std::string& out_;
};

/// Length of the valid UTF-8 sequence that starts `s` (1–4), or 0 when it is invalid.
std::size_t utf8_sequence_length(std::string_view s) noexcept;

/// Length of the longest prefix of `s` that is at most `max_bytes` and does not split a UTF-8
/// sequence.
std::size_t utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;

}  // namespace edgelog::detail
