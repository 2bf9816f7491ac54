// Taking the variable parts out of stack lines and extra JSON, and the number codes they use.
#include "store/shapes.h"

#include <array>
#include <charconv>
#include <cctype>
#include <cstring>

#include "detail/json_rewrite.h"
#include "detail/json_text.h"
#include "detail/json_writer.h"

namespace edgelog::detail {
namespace {

constexpr std::uint64_t max_digits_value = (std::uint64_t{1} << 59) - 1;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool holds_slot_bytes(std::string_view s) noexcept {
  return s.find(slot_string) != std::string_view::npos || s.find(slot_number) != std::string_view::npos;
}

}  // namespace

std::uint64_t number_code(std::string_view text) noexcept {
  // What append_number prints back: the integer part without leading zeros ("0" alone), then the
  // decimals as they are. So a text of that form is its own code's text.
  std::size_t i = 0;
  bool negative = !text.empty() && text[0] == '-';
  i += negative;
  if (i + 1 < text.size() && text[i] == '0' && text[i + 1] != '.') return 0;
  std::uint64_t digits = 0;
  std::size_t count = 0, decimals = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point && count) {
      point = true;
      continue;
    }
    if (!is_digit(c) || count == 17) return 0;
    digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
    ++count;
    decimals += point;
  }
  if (!count || decimals > 7 || (point && !decimals) || digits > max_digits_value) return 0;
  return (digits << 4 | decimals << 1 | (negative ? 1u : 0u)) + 1;
}

void append_number(std::string& out, std::uint64_t code) {
  std::uint64_t v = code - 1;
  std::uint64_t digits = v >> 4;
  std::size_t decimals = (v >> 1) & 7;
  if (v & 1) out.push_back('-');
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, digits);
  std::string_view d(buf, static_cast<std::size_t>(end - buf));
  if (!decimals) {
    out.append(d);
    return;
  }
  if (d.size() <= decimals) {
    out.push_back('0');
    out.push_back('.');
    out.append(decimals - d.size(), '0');
    out.append(d);
    return;
  }
  out.append(d.substr(0, d.size() - decimals));
  out.push_back('.');
  out.append(d.substr(d.size() - decimals));
}

bool stack_line_shape(std::string_view line, std::string& shape, std::vector<std::uint64_t>& numbers) {
  shape.clear();
  numbers.clear();
  if (holds_slot_bytes(line)) return false;
  for (std::size_t i = 0; i < line.size();) {
    if (!is_digit(line[i])) {
      shape.push_back(line[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && is_digit(line[j])) ++j;
    std::uint64_t n = 0;
    if ((line[i] == '0' && j - i > 1) || j - i > 18) {
      shape.append(line.substr(i, j - i));
    } else {
      std::from_chars(line.data() + i, line.data() + j, n);
      shape.push_back(slot_number);
      numbers.push_back(n);
    }
    i = j;
  }
  return true;
}

std::uint32_t extra_shaper::path_id(const std::string& path) {
  auto it = ids_.find(path);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(paths_.size());
  paths_.push_back(path);
  ids_.emplace(path, id);
  return id;
}

namespace {

// Bytes that start a string or a number, and bytes a number runs over.
constexpr auto value_start = [] {
  std::array<bool, 256> t{};
  t['"'] = t['-'] = true;
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
constexpr auto in_number = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789.eE+-")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

}  // namespace

bool extra_shape(std::string_view extra, std::string& shape, std::vector<shape_value>& values) {
  shape.clear();
  values.clear();
  if (holds_slot_bytes(extra)) return false;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(extra[k]); };
  for (std::size_t i = 0, n = extra.size(); i < n;) {
    char c = extra[i];
    if (c == '"') {
      std::size_t j = json_string_end(extra, i);
      if (j == std::string_view::npos) return false;
      if (j + 1 < n && extra[j + 1] == ':') {  // a key stays
        shape.append(extra.substr(i, j - i + 2));
        i = j + 2;
        continue;
      }
      shape.append("\"\x01\"", 3);
      values.push_back({false, extra.substr(i + 1, j - i - 1)});
      i = j + 1;
    } else if (value_start[at(i)]) {  // a number
      std::size_t j = i + 1;
      while (j < n && in_number[at(j)]) ++j;
      shape.push_back(slot_number);
      values.push_back({true, extra.substr(i, j - i)});
      i = j;
    } else {  // punctuation and literals, up to the next string or number
      std::size_t j = i + 1;
      while (j < n && !value_start[at(j)]) ++j;
      shape.append(extra.substr(i, j - i));
      i = j;
    }
  }
  return true;
}

namespace {

bool ascii(std::string_view s) noexcept {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// JSON members without braces, as an object.
bool valid_members(std::string_view members) {
  thread_local std::string text, out;
  text.assign(1, '{');
  text.append(members);
  text.push_back('}');
  out.clear();
  json_writer w(out);
  return rewrite_json(text, w, 64);
}

}  // namespace

bool valid_extra_shape(std::string_view shape) {
  if (!ascii(shape)) return false;
  // Strings empty and numbers 0, then strings `x` and numbers -1e5: a number run into its
  // neighbours fails one, and so does a string slot outside quotes (`x` is no JSON token).
  const std::pair<std::string_view, std::string_view> fills[] = {{"", "0"}, {"x", "-1e5"}};
  for (auto [text, number] : fills) {
    thread_local std::string probe;
    probe.clear();
    for (char c : shape) {
      if (c == slot_number) probe.append(number);
      else if (c == slot_string) probe.append(text);
      else probe.push_back(c);
    }
    if (!valid_members(probe)) return false;
  }
  return true;
}

bool valid_string_text(std::string_view t) noexcept {
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c < 0x20 || c >= 0x80 || c == '"') return false;
    if (c != '\\') continue;
    if (++i >= t.size()) return false;
    switch (t[i]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
      case 'u':
        if (i + 4 >= t.size()) return false;
        for (int k = 1; k <= 4; ++k)
          if (!std::isxdigit(static_cast<unsigned char>(t[i + static_cast<std::size_t>(k)]))) return false;
        i += 4;
        break;
      default: return false;
    }
  }
  return true;
}

bool valid_number_text(std::string_view t) noexcept {
  std::size_t i = 0, n = t.size();
  auto digits = [&] {
    std::size_t from = i;
    while (i < n && is_digit(t[i])) ++i;
    return i > from;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < n && t[i] == '.' && (++i, !digits())) return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

bool valid_extra_text(std::string_view text) { return ascii(text) && valid_members(text); }

void extra_shaper::slot_paths(std::string_view shape, std::vector<std::uint32_t>& out) {
  out.clear();
  // Per open container: the path's length before its key.
  std::vector<std::size_t> open{0};
  std::string& path = path_;
  path.clear();
  for (std::size_t i = 0, n = shape.size(); i < n; ++i) {
    char c = shape[i];
    if (c == '"') {
      std::size_t j = i + 1;
      while (j < n && shape[j] != '"') j += shape[j] == '\\' ? 2 : 1;
      if (j + 1 < n && shape[j + 1] == ':') {
        path.resize(open.back());
        if (!path.empty()) path.push_back('.');
        path.append(shape.substr(i + 1, j - i - 1));
      } else if (j == i + 2 && shape[i + 1] == slot_string) {
        out.push_back(path_id(path));
      }
      i = j;
    } else if (c == slot_number) {
      out.push_back(path_id(path));
    } else if (c == '{' || c == '[') {
      open.push_back(path.size());
    } else if ((c == '}' || c == ']') && open.size() > 1) {
      path.resize(open.back());
      open.pop_back();
    }
  }
}

}  // namespace edgelog::detail
