// Shapes: text with its variable parts taken out. A stack line keeps its words and loses its
// numbers ("    at handler\x02 (/app/handler\x02.js:\x02:\x02)"); an event's extra JSON keeps
// its keys and punctuation and loses its values, each written to its path's column. Shapes repeat
// across a segment's events, and so are stored once. docs/segment-format.md has the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgelog::detail {

/// Where a shape had a string value (extra JSON) or a number.
inline constexpr char slot_string = '\x01', slot_number = '\x02';

/// A number's text as a varint code: (digits << 4 | decimals << 1 | negative) + 1 for
/// `-?digits(.digits)?` with up to 7 decimals that prints back exactly; 0 when it does not.
std::uint64_t number_code(std::string_view text) noexcept;
/// Appends the text of a nonzero code.
void append_number(std::string& out, std::uint64_t code);

/// A stack line as its shape and numbers: digit runs that print back (no leading zero, at most
/// 18 digits) become slot_number. False (nothing taken) for a line that holds slot bytes itself.
bool stack_line_shape(std::string_view line, std::string& shape, std::vector<std::uint64_t>& numbers);

/// One value taken out of an extra's JSON: a string (its text between the quotes, escapes as
/// they are) or a number (its text).
struct shape_value {
  bool number = false;
  std::string_view text;
};

/// The shape of an extra (JSON members without braces, ASCII, as segments store it) and its
/// values in order. False for text that holds slot bytes or has an unterminated string.
bool extra_shape(std::string_view extra, std::string& shape, std::vector<shape_value>& values);

/// What a read checks of a stored segment's extras, so that a damaged or forged segment can never
/// make an event's JSON invalid: a shape that, filled with any valid values, gives ASCII JSON
/// members (checked filled two ways: strings empty and numbers 0, then strings `x` and numbers
/// -1e5, which catch a number run into its neighbours and a string slot outside quotes); a
/// string's text between quotes; a number's text; an extra stored whole.
bool valid_extra_shape(std::string_view shape);
bool valid_string_text(std::string_view text) noexcept;
bool valid_number_text(std::string_view text) noexcept;
bool valid_extra_text(std::string_view text);

/// Numbers the paths of a segment's extras (keys joined by dots; array items at their array's
/// path) in order of first appearance.
class extra_shaper {
 public:
  /// The path of each slot of a shape, in order.
  void slot_paths(std::string_view shape, std::vector<std::uint32_t>& out);
  const std::vector<std::string>& paths() const noexcept { return paths_; }

 private:
  std::uint32_t path_id(const std::string& path);
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> paths_;
  std::string path_;
};

}  // namespace edgelog::detail
