// A segment's numeric ranges: built from the ctx and tags of its events, read by pruning.
#include "edgelog/store/numeric_ranges.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "detail/json_text.h"
#include "detail/number_text.h"
#include "detail/varint.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

std::uint32_t numeric_path_hash(std::string_view path) noexcept {
  return static_cast<std::uint32_t>(token_hash(path));
}

// One pass over a ctx or tags document (JSON the core wrote), keeping the path of the value it is
// in and recording each number a query can reach.
struct numeric_scan {
  // How a query reaches a value: at its path, as an item of the array at its path, or not at all
  // (the members of an object inside an array).
  enum class reach { path, item, none };

  numeric_ranges& out;
  std::string_view s;
  std::string path;
  std::size_t i = 0;

  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  }

  // The string token at i (from its quote): its text, decoded when it holds escapes. i moves past it.
  bool string(std::string_view& text, std::string& decoded) {
    std::size_t open = i++;
    bool escaped = false;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') {
        escaped = true;
        ++i;
      }
      ++i;
    }
    if (i >= s.size()) return false;
    ++i;
    text = s.substr(open + 1, i - open - 2);
    if (escaped) {
      decoded = detail::lenient_json_string(s.substr(open, i - open));
      text = decoded;
    }
    return true;
  }

  void record(std::optional<double> v) {
    if (v && !std::isnan(*v)) out.record(numeric_path_hash(path), *v);
  }

  // A string the matcher compares as a number: only one strtod can start reading (after its
  // leading spaces: a sign, a digit, a point, inf or nan) is worth the reading.
  void string_number(std::string_view text) {
    std::size_t k = 0;
    while (k < text.size() && (text[k] == ' ' || (text[k] >= '\t' && text[k] <= '\r'))) ++k;
    if (k == text.size()) return;
    char c = text[k];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'i' || c == 'I' || c == 'n' || c == 'N')
      record(detail::number_of(text));
  }

  bool value(reach r, std::size_t depth) {
    space();
    if (i >= s.size() || depth > numeric_ranges::max_depth) return false;
    char c = s[i];
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++i;
      space();
      if (i < s.size() && s[i] == close) return ++i, true;
      std::string decoded;
      for (;;) {
        std::size_t mark = path.size();
        reach inner = c == '[' ? (r == reach::none ? reach::none : reach::item) : (r == reach::path ? reach::path : reach::none);
        if (c == '{') {
          std::string_view key;
          space();
          if (i >= s.size() || s[i] != '"' || !string(key, decoded)) return false;
          if (inner == reach::path) {
            path.push_back('.');
            path.append(key);
          }
          space();
          if (i >= s.size() || s[i] != ':') return false;
          ++i;
        }
        if (!value(inner, depth + 1)) return false;
        path.resize(mark);
        space();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == close) return ++i, true;
        return false;
      }
    }
    if (c == '"') {
      std::string_view text;
      std::string decoded;
      if (!string(text, decoded)) return false;
      if (r != reach::none) string_number(text);
      return true;
    }
    std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' &&
           s[i] != '\r')
      ++i;
    if (i == start) return false;
    if (r != reach::none && (c == '-' || (c >= '0' && c <= '9'))) {
      std::string literal(s.substr(start, i - start));
      record(std::strtod(literal.c_str(), nullptr));
    }
    return true;
  }
};

void numeric_ranges::record(std::uint32_t path, double value) {
  for (auto& r : ranges_)
    if (r.path == path) {
      r.min = std::min(r.min, value);
      r.max = std::max(r.max, value);
      return;
    }
  if (ranges_.size() == max_paths) {
    complete_ = false;
    return;
  }
  ranges_.push_back({path, value, value});
}

void numeric_ranges::add(std::string_view source, std::string_view json) {
  known_ = true;
  if (json.empty() || unreadable_) return;
  numeric_scan scan{*this, json, std::string(source)};
  scan.space();
  bool object = scan.i < json.size() && json[scan.i] == '{';
  if (!scan.value(object ? numeric_scan::reach::path : numeric_scan::reach::none, 0)) unreadable_ = true;
}

const numeric_ranges::range* numeric_ranges::find(std::uint32_t path) const noexcept {
  for (const auto& r : ranges_)
    if (r.path == path) return &r;
  return nullptr;
}

namespace {

// The float at or below v, and at or above it: a range read back never shrinks.
float down(double v) {
  if (v > FLT_MAX) return FLT_MAX;
  if (v < -FLT_MAX) return -INFINITY;
  float f = static_cast<float>(v);
  return f > v ? std::nextafter(f, -INFINITY) : f;
}
float up(double v) {
  if (v > FLT_MAX) return INFINITY;
  if (v < -FLT_MAX) return -FLT_MAX;
  float f = static_cast<float>(v);
  return f < v ? std::nextafter(f, INFINITY) : f;
}

// The bits of a float and back (std::bit_cast is missing from Emscripten's libc++).
std::uint32_t bits_of(float f) {
  std::uint32_t v;
  std::memcpy(&v, &f, sizeof v);
  return v;
}
float float_of(std::uint32_t v) {
  float f;
  std::memcpy(&f, &v, sizeof f);
  return f;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}
std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])) << (8 * k);
  return v;
}

}  // namespace

std::string numeric_ranges::serialize() const {
  std::string out;
  if (!usable()) return out;
  out.push_back(complete_ ? 1 : 0);
  detail::put_varint(out, ranges_.size());
  for (const auto& r : ranges_) {
    put_u32(out, r.path);
    put_u32(out, bits_of(down(r.min)));
    put_u32(out, bits_of(up(r.max)));
  }
  return out;
}

bool numeric_ranges::parse(std::string_view bytes, numeric_ranges& out) {
  out = numeric_ranges{};
  detail::byte_cursor in(bytes);
  std::uint8_t flags = 0;
  std::uint64_t count = 0;
  std::string_view entries;
  if (!in.byte(flags) || (flags & ~1u) || !in.varint(count) || count > max_paths || !in.take(count * 12, entries) ||
      !in.at_end())
    return false;
  out.complete_ = flags & 1;
  out.known_ = true;
  for (std::size_t k = 0; k < count; ++k) {
    std::string_view e = entries.substr(k * 12, 12);
    auto min = float_of(get_u32(e.substr(4))), max = float_of(get_u32(e.substr(8)));
    if (std::isnan(min) || std::isnan(max) || min > max) return false;
    out.ranges_.push_back({get_u32(e), min, max});
  }
  return true;
}

}  // namespace edgelog
