// Taking the variable parts out of stack lines and extra JSON, and the number codes they use.
#include "store/shapes.h"

#include <charconv>

namespace edgelog::detail {
namespace {

constexpr std::uint64_t max_digits_value = (std::uint64_t{1} << 59) - 1;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool holds_slot_bytes(std::string_view s) noexcept {
  return s.find(slot_string) != std::string_view::npos || s.find(slot_number) != std::string_view::npos;
}

}  // namespace

std::uint64_t number_code(std::string_view text) noexcept {
  std::size_t i = 0;
  bool negative = !text.empty() && text[0] == '-';
  i += negative;
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
  std::uint64_t code = (digits << 4 | decimals << 1 | (negative ? 1u : 0u)) + 1;
  std::string back;
  append_number(back, code);
  return back == text ? code : 0;
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

bool extra_shaper::shape(std::string_view extra, std::string& shape, std::vector<shape_value>& values) {
  shape.clear();
  values.clear();
  if (holds_slot_bytes(extra)) return false;
  // Per open container: whether it is an object, and the path length before its key.
  struct level {
    bool object;
    std::size_t base;
  };
  std::vector<level> open{{true, 0}};
  std::string& path = path_;
  path.clear();
  auto set_key = [&](std::string_view key) {
    path.resize(open.back().base);
    if (!path.empty()) path.push_back('.');
    path.append(key);
  };
  for (std::size_t i = 0; i < extra.size();) {
    char c = extra[i];
    if (c == '"') {
      std::size_t j = i + 1;
      while (j < extra.size() && extra[j] != '"') j += extra[j] == '\\' ? 2 : 1;
      if (j >= extra.size()) return false;
      std::string_view text = extra.substr(i + 1, j - i - 1);
      if (j + 1 < extra.size() && extra[j + 1] == ':') {
        if (!open.back().object) return false;
        set_key(text);
        shape.append(extra.substr(i, j - i + 1));
      } else {
        shape.push_back('"');
        shape.push_back(slot_string);
        shape.push_back('"');
        values.push_back({path_id(path), false, text});
      }
      i = j + 1;
    } else if (c == '-' || is_digit(c)) {
      std::size_t j = i + 1;
      while (j < extra.size() && (is_digit(extra[j]) || extra[j] == '.' || extra[j] == 'e' || extra[j] == 'E' ||
                                  extra[j] == '+' || extra[j] == '-'))
        ++j;
      shape.push_back(slot_number);
      values.push_back({path_id(path), true, extra.substr(i, j - i)});
      i = j;
    } else {
      if (c == '{' || c == '[') {
        open.push_back({c == '{', path.size()});
      } else if (c == '}' || c == ']') {
        if (open.size() < 2) return false;
        path.resize(open.back().base);
        open.pop_back();
      }
      shape.push_back(c);
      ++i;
    }
  }
  return open.size() == 1;
}

}  // namespace edgelog::detail
