// A segment's numeric ranges: built from the ctx and tags of its events, read by pruning.
#include "edgelog/store/numeric_ranges.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "detail/distinct_strings.h"
#include "detail/json_text.h"
#include "detail/number_text.h"
#include "detail/varint.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {

namespace {

// FNV-1a over more bytes: the path's hash is carried key by key as the scan descends.
std::uint64_t fnv_more(std::uint64_t h, std::string_view bytes) noexcept {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= detail::fnv_prime;
  }
  return h;
}

std::uint32_t finish_path_hash(std::uint64_t state) noexcept { return static_cast<std::uint32_t>(detail::mix64(state)); }

}  // namespace

std::uint32_t numeric_path_hash(std::string_view path) noexcept {
  return finish_path_hash(fnv_more(detail::fnv_offset, path));  // token_hash(path)'s low 32 bits
}

std::uint32_t numeric_path_hash(std::string_view source, const std::vector<std::string>& keys) noexcept {
  std::uint64_t h = fnv_more(detail::fnv_offset, source);
  for (const auto& key : keys) h = fnv_more(fnv_more(h, "."), key);
  return finish_path_hash(h);
}

// One pass over a ctx or tags document (JSON the core wrote), keeping the path of the value it is
// in: it records each number a query can reach and, when asked, hashes the words of every string
// value for the words filter (for_each_json_value_token_hash's words, without a second pass).
struct numeric_scan {
  // How a query reaches a value: at its path, as an item of the array at its path, or not at all
  // (the members of an object inside an array).
  enum class reach { path, item, none };

  struct word_sink {
    std::vector<std::uint64_t>* out;
    void operator()(std::uint64_t h) const { out->push_back(h); }
  };

  numeric_ranges& out;
  std::string_view s;
  std::uint64_t path;  ///< the FNV-1a state of the path so far (`ctx.user.age`)
  detail::token_hasher<word_sink> words;
  bool hash_words;
  detail::distinct_strings* seen;
  std::size_t i = 0;

  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  }

  // The string token at i (from its quote): its raw text between the quotes (escapes as they
  // are). i moves past it. A value's words go to the words filter on the way.
  // A value already seen in the segment (`seen`) has its words in already: they are not hashed
  // again (ctx values repeat from event to event: user agents, queries, titles).
  bool string(std::string_view& raw, bool value) {
    std::size_t open = i, close = detail::json_string_end(s, open);
    if (close == std::string_view::npos) return false;
    raw = s.substr(open + 1, close - open - 1);
    if (value && hash_words && (!seen || seen->insert(raw))) {
      i = open + 1;
      detail::feed_json_string(s, i, words);
      words.finish();
    }
    i = close + 1;
    return true;
  }

  static bool has_escape(std::string_view raw) { return raw.find('\\') != std::string_view::npos; }

  static std::string decoded(std::string_view raw) {
    std::string token(1, '"');
    token.append(raw);
    token.push_back('"');
    return detail::lenient_json_string(token);
  }

  void record(std::optional<double> v) {
    if (v && !std::isnan(*v)) out.record(finish_path_hash(path), *v);
  }

  // A string the matcher compares as a number: only one strtod can start reading (after its
  // leading spaces: a sign, a digit, a point, inf or nan) is worth the reading. Escapes are
  // looked for, and decoded, only in such a string (or one that starts with an escape).
  void string_number(std::string_view raw) {
    if (raw.empty() || raw.size() > 6 * 64) return;  // decoded, still longer than number_of reads
    if (raw[0] == '\\') return record(detail::number_of(decoded(raw)));
    std::size_t k = 0;
    while (k < raw.size() && (raw[k] == ' ' || (raw[k] >= '\t' && raw[k] <= '\r'))) ++k;
    if (k == raw.size()) return;
    char c = raw[k];
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'i' || c == 'I' || c == 'n' || c == 'N'))
      return;
    record(has_escape(raw) ? detail::number_of(decoded(raw)) : detail::number_of(raw));
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
      for (;;) {
        std::uint64_t mark = path;
        reach inner = c == '[' ? (r == reach::none ? reach::none : reach::item) : (r == reach::path ? reach::path : reach::none);
        if (c == '{') {
          std::string_view key;
          space();
          if (i >= s.size() || s[i] != '"' || !string(key, false)) return false;
          if (inner == reach::path) path = fnv_more(fnv_more(path, "."), has_escape(key) ? std::string_view(decoded(key)) : key);
          space();
          if (i >= s.size() || s[i] != ':') return false;
          ++i;
        }
        if (!value(inner, depth + 1)) return false;
        path = mark;
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
      std::string_view raw;
      if (!string(raw, true)) return false;
      if (r != reach::none) string_number(raw);
      return true;
    }
    std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' &&
           s[i] != '\r')
      ++i;
    if (i == start) return false;
    if (r != reach::none && (c == '-' || (c >= '0' && c <= '9'))) record(json_number(s.substr(start, i - start)));
    return true;
  }

  // A JSON number literal as a double, as strtod reads it (number_of's fast path for most).
  static double json_number(std::string_view literal) {
    if (auto v = detail::number_of(literal)) return *v;
    return std::strtod(std::string(literal).c_str(), nullptr);  // longer than 64 bytes
  }
};

void numeric_ranges::record(std::uint32_t path, double value) {
  auto widen = [&](range& r) {
    r.min = std::min(r.min, value);
    r.max = std::max(r.max, value);
  };
  // Events of a batch repeat their paths in order: the one after the last is checked first.
  std::size_t n = ranges_.size();
  for (std::size_t k = 0; k < n; ++k) {
    range& r = ranges_[(last_ + 1 + k) % n];
    if (r.path == path) {
      last_ = (last_ + 1 + k) % n;
      return widen(r);
    }
  }
  if (ranges_.size() == max_paths) {
    complete_ = false;
    return;
  }
  last_ = ranges_.size();
  ranges_.push_back({path, value, value});
}

void numeric_ranges::add(std::string_view source, std::string_view json, std::vector<std::uint64_t>* word_hashes,
                         detail::distinct_strings* seen_values) {
  known_ = true;
  if (json.empty()) return;
  if (unreadable_) {
    if (word_hashes) hash_words(json, *word_hashes);
    return;
  }
  numeric_scan scan{*this, json, fnv_more(detail::fnv_offset, source), {{word_hashes}}, word_hashes != nullptr, seen_values};
  scan.space();
  bool object = scan.i < json.size() && json[scan.i] == '{';
  if (scan.value(object ? numeric_scan::reach::path : numeric_scan::reach::none, 0)) return;
  unreadable_ = true;
  // The words of what the scan did not reach: the flat scan hashes them all again (the filter
  // keeps each hash once).
  if (word_hashes) hash_words(json, *word_hashes);
}

void numeric_ranges::hash_words(std::string_view json, std::vector<std::uint64_t>& word_hashes) {
  std::vector<std::uint64_t> pending;
  for_each_json_value_token_hash(json, pending, [&](std::uint64_t h) { word_hashes.push_back(h); });
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
