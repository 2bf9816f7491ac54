// Source Map v3 (ECMA-426): simdjson reads the map once; the mappings stay the VLQ text they are,
// decoded once here to check every field and index, with the decoder's state kept every 32
// segments, so a lookup decodes at most 32 segments after a binary search.
#include "edgelog/sourcemaps/source_map.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>

#include "edgelog/sourcemaps/scopes.h"
#include "store/compress.h"

namespace edgelog {
namespace {

// A source's name as the project's tree has it: webpack's "webpack://<namespace>/./src/a.js" and
// "webpack:///./src/a.js" become "src/a.js" (its loaders' "webpack/runtime/…" keep their path);
// leading "./" and "../" go. Other URLs and paths are kept as written.
std::string readable_source(std::string_view src) {
  if (src.starts_with("webpack://")) {
    src.remove_prefix(10);
    auto slash = src.find('/');
    src = slash == std::string_view::npos ? std::string_view() : src.substr(slash + 1);
  }
  // "../../src/a.js", relative to a map in dist/assets/: where the build put its output is no part
  // of the source's name (and moving it must not move the issue).
  while (src.starts_with("./") || src.starts_with("../")) src.remove_prefix(src[1] == '/' ? 2 : 3);
  return std::string(src);
}


constexpr std::uint32_t checkpoint_every = 32;

constexpr std::array<std::int8_t, 256> base64_digits = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}();

// One base64 VLQ value at p (advanced past it); false on a bad digit, the end of the text, or a
// value past 32 bits.
bool read_vlq(const char*& p, const char* end, std::int64_t& out) {
  std::uint64_t value = 0;
  for (int shift = 0;; shift += 5) {
    if (p == end || shift > 30) return false;
    int d = base64_digits[static_cast<unsigned char>(*p)];
    if (d < 0) return false;
    ++p;
    value |= static_cast<std::uint64_t>(d & 31) << shift;
    if (!(d & 32)) break;
  }
  out = (value & 1) ? -static_cast<std::int64_t>(value >> 1) : static_cast<std::int64_t>(value >> 1);
  return true;
}

// The decoder's state: the fields are relative to the previous segment's (the column to the
// previous segment of its line).
struct decoder_state {
  std::uint32_t offset = 0;  // into the mappings text
  std::uint32_t line = 0;
  std::int64_t column = 0, source = 0, original_line = 0, original_column = 0, name = 0;
};

struct segment {
  std::uint32_t line = 0, column = 0;
  bool mapped = false, named = false;
  std::uint32_t source = 0, original_line = 0, original_column = 0, name = 0;
};

// A checkpoint: the state before segment k (separators consumed), and where segment k is.
struct checkpoint {
  decoder_state state;
  std::uint32_t line, column;
};

enum class step { segment, end, bad };

}  // namespace

// One map without sections. Sources' texts are kept as zstd frames (a map's texts are most of its
// bytes, and only the few a stack touches are ever read).
struct flat_map {
  std::vector<std::string> sources, contents, names;
  std::vector<std::vector<function_scope>> scopes;  // per source with content: its function bodies
  std::string scope_names;
  std::vector<std::uint32_t> content_sizes;
  std::vector<bool> has_content, ignored;
  std::string mappings;
  std::vector<checkpoint> checkpoints;
  std::size_t segments = 0;

  void skip_separators(decoder_state& s) const {
    while (s.offset < mappings.size()) {
      char c = mappings[s.offset];
      if (c == ';') {
        ++s.line;
        s.column = 0;
      } else if (c != ',') {
        break;
      }
      ++s.offset;
    }
  }

  // Decodes the segment at s (separators before it consumed); `why` names a fault.
  step decode(decoder_state& s, segment& seg, std::string* why) const {
    if (s.offset >= mappings.size()) return step::end;
    const char* begin = mappings.data();
    const char* p = begin + s.offset;
    const char* end = begin + mappings.size();
    std::int64_t v[5];
    int n = 0;
    while (p < end && *p != ',' && *p != ';') {
      if (n == 5 || !read_vlq(p, end, v[n])) {
        if (why) *why = "a bad VLQ value in mappings at byte " + std::to_string(p - begin);
        return step::bad;
      }
      ++n;
    }
    if (n != 1 && n != 4 && n != 5) {
      if (why) *why = "a mapping of " + std::to_string(n) + " fields (1, 4 or 5) at byte " + std::to_string(s.offset);
      return step::bad;
    }
    const auto out_of_range = [&](const char* what) {
      if (why) *why = std::string(what) + " out of range in mappings at byte " + std::to_string(s.offset);
      return step::bad;
    };
    s.column += v[0];
    if (s.column < 0 || s.column > std::numeric_limits<std::uint32_t>::max()) return out_of_range("a generated column");
    seg.line = s.line;
    seg.column = static_cast<std::uint32_t>(s.column);
    seg.mapped = n >= 4;
    seg.named = n == 5;
    if (n >= 4) {
      s.source += v[1];
      s.original_line += v[2];
      s.original_column += v[3];
      if (s.source < 0 || s.source >= static_cast<std::int64_t>(sources.size())) return out_of_range("a source index");
      if (s.original_line < 0 || s.original_line > std::numeric_limits<std::int32_t>::max()) return out_of_range("an original line");
      if (s.original_column < 0 || s.original_column > std::numeric_limits<std::int32_t>::max()) return out_of_range("an original column");
      seg.source = static_cast<std::uint32_t>(s.source);
      seg.original_line = static_cast<std::uint32_t>(s.original_line);
      seg.original_column = static_cast<std::uint32_t>(s.original_column);
    }
    if (n == 5) {
      s.name += v[4];
      if (s.name < 0 || s.name >= static_cast<std::int64_t>(names.size())) return out_of_range("a name index");
      seg.name = static_cast<std::uint32_t>(s.name);
    }
    s.offset = static_cast<std::uint32_t>(p - begin);
    return step::segment;
  }

  // Decodes every segment once: checks them, keeps a checkpoint every 32.
  bool index(std::string& why) {
    if (mappings.size() > std::numeric_limits<std::uint32_t>::max()) {
      why = "mappings too long";
      return false;
    }
    decoder_state s;
    segment seg;
    for (;;) {
      skip_separators(s);
      decoder_state before = s;
      step r = decode(s, seg, &why);
      if (r == step::end) return true;
      if (r == step::bad) return false;
      if (segments % checkpoint_every == 0) checkpoints.push_back({before, seg.line, seg.column});
      ++segments;
    }
  }

  // The index of the last checkpoint at or before (line, column), or -1.
  std::ptrdiff_t checkpoint_before(std::uint32_t line, std::uint32_t column) const {
    auto it = std::upper_bound(checkpoints.begin(), checkpoints.end(), std::pair{line, column},
                               [](const std::pair<std::uint32_t, std::uint32_t>& p, const checkpoint& c) {
                                 return p.first < c.line || (p.first == c.line && p.second < c.column);
                               });
    return (it - checkpoints.begin()) - 1;
  }

  // The last segment at or before 0-based (line, column) on that line.
  std::optional<segment> find(std::uint32_t line, std::uint32_t column) const {
    std::ptrdiff_t c = checkpoint_before(line, column);
    if (c < 0) return std::nullopt;
    decoder_state s = checkpoints[static_cast<std::size_t>(c)].state;
    std::optional<segment> best;
    segment seg;
    for (;;) {
      skip_separators(s);
      if (decode(s, seg, nullptr) != step::segment) break;
      if (seg.line > line || (seg.line == line && seg.column > column)) break;
      if (seg.line == line) best = seg;
    }
    return best;
  }

  std::size_t memory() const {
    std::size_t bytes = mappings.capacity() + checkpoints.capacity() * sizeof(checkpoint);
    for (const auto* list : {&sources, &contents, &names})
      for (const auto& s : *list) bytes += s.capacity() + sizeof(std::string);
    for (const auto& list : scopes) bytes += list.capacity() * sizeof(function_scope) + sizeof(list);
    bytes += scope_names.capacity();
    return bytes + has_content.size() / 8 + ignored.size() / 8;
  }
};

struct source_map::impl {
  struct section {
    std::uint32_t line = 0, column = 0;  // 0-based offset of the section in the generated file
    flat_map map;
  };
  // A source's text, decompressed, with its lines (views into `text`, which never moves).
  struct open_source {
    std::uint32_t section, source;
    std::string text;
    line_index lines{std::string_view{}};
  };
  static constexpr std::size_t open_sources_kept = 4;
  std::vector<section> sections;
  std::string debug_id;
  mutable std::vector<std::unique_ptr<open_source>> open;  // most recently read first

  const open_source* read(std::uint32_t section, std::uint32_t source) const {
    for (std::size_t i = 0; i < open.size(); ++i)
      if (open[i]->section == section && open[i]->source == source) {
        std::rotate(open.begin(), open.begin() + static_cast<std::ptrdiff_t>(i), open.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        return open.front().get();
      }
    const flat_map& m = sections[section].map;
    auto o = std::make_unique<open_source>();
    o->section = section;
    o->source = source;
    if (!detail::zstd_decompress(m.contents[source], m.content_sizes[source], o->text)) return nullptr;
    o->lines = line_index(o->text);
    if (open.size() == open_sources_kept) open.pop_back();
    open.insert(open.begin(), std::move(o));
    return open.front().get();
  }

  // The section holding 0-based (line, column), and the position within it.
  const section* at(std::uint32_t& line, std::uint32_t& column) const {
    auto it = std::upper_bound(sections.begin(), sections.end(), std::pair{line, column},
                               [](const std::pair<std::uint32_t, std::uint32_t>& p, const section& s) {
                                 return p.first < s.line || (p.first == s.line && p.second < s.column);
                               });
    if (it == sections.begin()) return nullptr;
    const section& s = *(it - 1);
    if (line == s.line) column -= s.column;
    line -= s.line;
    return &s;
  }
};

namespace {

namespace dom = simdjson::dom;

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A map's debug ID (debugId, or debug_id), lowercased.
std::string debug_id_of(dom::object obj) {
  std::string_view s;
  if (!obj["debugId"].get_string().get(s) || !obj["debug_id"].get_string().get(s)) return lowered(s);
  return {};
}

// Reads one map object (not an index map) into `out`; false with `why` set.
bool read_flat(dom::object obj, flat_map& out, std::string& why) {
  std::int64_t version = 0;
  if (obj["version"].get_int64().get(version) || version != 3) return why = "the map's version is not 3", false;
  std::string_view mappings;
  if (auto m = obj["mappings"]; m.error() == simdjson::NO_SUCH_FIELD) return why = "the map has no mappings", false;
  else if (m.get_string().get(mappings)) return why = "mappings is not text", false;
  out.mappings = mappings;
  for (const char* key : {"sources", "names", "sourcesContent"}) {
    auto field = obj[key];
    if (field.error() == simdjson::NO_SUCH_FIELD) continue;
    dom::array arr;
    if (field.get_array().get(arr)) return why = std::string(key) + " is not a list", false;
    std::string_view k(key);
    auto& list = k == "sources" ? out.sources : k == "names" ? out.names : out.contents;
    for (dom::element v : arr) {
      bool content = k == "sourcesContent";
      if (v.is_null()) {
        list.emplace_back();
        if (content) out.has_content.push_back(false);
        continue;
      }
      std::string_view text;
      if (v.get_string().get(text)) return why = std::string(key) + " holds something other than text", false;
      list.emplace_back(text);
      if (content) out.has_content.push_back(true);
    }
  }
  std::string_view root;
  if (!obj["sourceRoot"].get_string().get(root) && !root.empty())
    for (auto& src : out.sources)
      if (src.find("://") == std::string::npos && !src.starts_with('/'))
        src = std::string(root) + (root.ends_with('/') ? "" : "/") + src;
  for (auto& src : out.sources) src = readable_source(src);
  out.contents.resize(out.sources.size());
  out.has_content.resize(out.sources.size(), false);
  out.content_sizes.assign(out.sources.size(), 0);
  out.scopes.resize(out.sources.size());
  for (std::size_t i = 0; i < out.contents.size(); ++i) {
    if (!out.has_content[i]) continue;
    out.scopes[i] = function_scopes(out.contents[i], out.scope_names);
    out.scopes[i].shrink_to_fit();
    std::string frame;
    detail::zstd_compress(out.contents[i], 1, frame);
    out.content_sizes[i] = static_cast<std::uint32_t>(out.contents[i].size());
    out.contents[i] = std::move(frame);
    out.contents[i].shrink_to_fit();
  }
  out.scope_names.shrink_to_fit();
  out.ignored.assign(out.sources.size(), false);
  for (const char* key : {"ignoreList", "x_google_ignoreList"}) {
    dom::array arr;
    if (obj[key].get_array().get(arr)) continue;
    for (dom::element v : arr) {
      std::int64_t i;
      if (!v.get_int64().get(i) && i >= 0 && static_cast<std::size_t>(i) < out.ignored.size()) out.ignored[static_cast<std::size_t>(i)] = true;
    }
  }
  return out.index(why);
}

}  // namespace

source_map::source_map() : impl_(std::make_unique<impl>()) {}
source_map::source_map(source_map&&) noexcept = default;
source_map& source_map::operator=(source_map&&) noexcept = default;
source_map::~source_map() = default;

source_map source_map::parse(std::string_view json, const source_map_limits& limits, errc& code, std::string& error) {
  source_map out;
  code = errc::ok;
  error.clear();
  auto fail = [&](errc c, std::string why) {
    code = c;
    error = std::move(why);
    return source_map{};
  };
  if (json.size() > limits.max_bytes)
    return fail(errc::source_map_too_large, "the map is " + std::to_string(json.size() >> 20) + " MiB; edgelog reads maps up to " +
                                                 std::to_string(limits.max_bytes >> 20) + " MiB");
  // The DOM parser validates the whole text before anything is read from it.
  dom::parser parser;
  dom::element doc;
  if (parser.parse(json.data(), json.size(), true).get(doc)) return fail(errc::invalid_source_map, "the map is not valid JSON");
  dom::object obj;
  if (doc.get_object().get(obj)) return fail(errc::invalid_source_map, "the map is not a JSON object");
  out.impl_->debug_id = debug_id_of(obj);
  auto sections = obj["sections"];
  if (sections.error() == simdjson::NO_SUCH_FIELD) {
    impl::section s;
    std::string why;
    if (!read_flat(obj, s.map, why)) return fail(errc::invalid_source_map, why);
    out.impl_->sections.push_back(std::move(s));
    return out;
  }
  // An index map: {"version": 3, "sections": [{"offset": {"line", "column"}, "map": {...}}]}.
  dom::array list;
  if (sections.get_array().get(list)) return fail(errc::invalid_source_map, "sections is not a list");
  for (dom::element item : list) {
    dom::object section;
    if (item.get_object().get(section)) return fail(errc::invalid_source_map, "a section is not an object");
    if (out.impl_->sections.size() == limits.max_sections)
      return fail(errc::invalid_source_map, "more than " + std::to_string(limits.max_sections) + " sections");
    if (section["url"].error() != simdjson::NO_SUCH_FIELD)
      return fail(errc::invalid_source_map, "sections that point to another map by url are not read; upload the maps they name");
    std::int64_t line = -1, column = -1;
    dom::object map;
    if (section["offset"]["line"].get_int64().get(line) || section["offset"]["column"].get_int64().get(column) || line < 0 ||
        column < 0 || line > std::numeric_limits<std::int32_t>::max() || column > std::numeric_limits<std::int32_t>::max() ||
        section["map"].get_object().get(map))
      return fail(errc::invalid_source_map, "a section needs an offset {line, column} and a map");
    impl::section s;
    s.line = static_cast<std::uint32_t>(line);
    s.column = static_cast<std::uint32_t>(column);
    std::string why;
    if (!read_flat(map, s.map, why)) return fail(errc::invalid_source_map, "section " + std::to_string(out.impl_->sections.size()) + ": " + why);
    const auto& before = out.impl_->sections;
    if (!before.empty() && (s.line < before.back().line || (s.line == before.back().line && s.column < before.back().column)))
      return fail(errc::invalid_source_map, "sections are not in order");
    out.impl_->sections.push_back(std::move(s));
  }
  return out;
}

std::optional<original_position> source_map::lookup(std::uint32_t line, std::uint32_t column) const {
  if (line == 0 || column == 0) return std::nullopt;
  std::uint32_t l = line - 1, c = column - 1;
  const impl::section* s = impl_->at(l, c);
  if (!s) return std::nullopt;
  auto seg = s->map.find(l, c);
  if (!seg || !seg->mapped) return std::nullopt;
  const flat_map& m = s->map;
  original_position p;
  p.file = m.sources[seg->source];
  p.line = seg->original_line + 1;
  p.column = seg->original_column + 1;
  if (seg->named) p.name = m.names[seg->name];
  p.has_content = m.has_content[seg->source];
  p.ignored = m.ignored[seg->source];
  p.section = static_cast<std::uint32_t>(s - impl_->sections.data());
  p.source = seg->source;
  return p;
}

std::string_view source_map::function_name(std::uint32_t line, std::uint32_t column, std::string_view minified_name,
                                           const line_index& bundle) const {
  if (line == 0 || column == 0 || minified_name.empty()) return {};
  std::uint32_t l = line - 1, c = column - 1;
  const impl::section* s = impl_->at(l, c);
  if (!s) return {};
  const flat_map& m = s->map;
  const auto is_ident = [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' ||
           static_cast<unsigned char>(ch) >= 0x80;
  };
  // The generated text at a segment (section offsets added back) starts with the minified name?
  const auto names_it = [&](const segment& seg) {
    std::uint32_t gl = seg.line + s->line, gc = seg.column + (seg.line == 0 ? s->column : 0);
    std::string_view text = bundle.from(gl + 1, gc + 1);
    return text.starts_with(minified_name) && (text.size() == minified_name.size() || !is_ident(text[minified_name.size()]));
  };
  std::ptrdiff_t last = m.checkpoint_before(l, c);
  std::vector<segment> chunk;
  for (std::ptrdiff_t k = last, scanned = 0; k >= 0 && scanned < 2048; --k) {
    chunk.clear();
    decoder_state st = m.checkpoints[static_cast<std::size_t>(k)].state;
    segment seg;
    for (std::uint32_t i = 0; i < checkpoint_every; ++i) {
      m.skip_separators(st);
      if (m.decode(st, seg, nullptr) != step::segment) break;
      if (seg.line > l || (seg.line == l && seg.column > c)) break;
      chunk.push_back(seg);
    }
    scanned += static_cast<std::ptrdiff_t>(chunk.size());
    for (auto it = chunk.rbegin(); it != chunk.rend(); ++it)
      if (it->named && names_it(*it)) return m.names[it->name];
  }
  return {};
}

std::string_view source_map::debug_id() const noexcept { return impl_->debug_id; }

std::size_t source_map::mappings() const noexcept {
  std::size_t n = 0;
  for (const auto& s : impl_->sections) n += s.map.segments;
  return n;
}

std::size_t source_map::sources() const noexcept {
  std::size_t n = 0;
  for (const auto& s : impl_->sections) n += s.map.sources.size();
  return n;
}

std::size_t source_map::sources_with_content() const noexcept {
  std::size_t n = 0;
  for (const auto& s : impl_->sections) n += static_cast<std::size_t>(std::count(s.map.has_content.begin(), s.map.has_content.end(), true));
  return n;
}

std::size_t source_map::memory_bytes() const noexcept {
  std::size_t bytes = sizeof(impl) + impl_->debug_id.capacity();
  for (const auto& s : impl_->sections) bytes += sizeof(s) + s.map.memory() + s.map.content_sizes.capacity() * 4;
  for (const auto& o : impl_->open) bytes += sizeof(*o) + o->text.capacity() + o->lines.lines() * 4;
  return bytes;
}

std::vector<original_frame> source_map::symbolicate(const std::vector<generated_frame>& frames, const line_index& bundle) const {
  std::vector<original_frame> out(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) out[i].position = lookup(frames[i].line, frames[i].column);
  const auto is_ident = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$' || static_cast<unsigned char>(ch) >= 0x80;
  };
  for (std::size_t i = 0; i < frames.size(); ++i) {
    // V8 names a method `Object.fetch`, `Foo.bar`: the bundle holds its last part.
    std::string_view minified = frames[i].function;
    if (auto dot = minified.rfind('.'); dot != std::string_view::npos) minified = minified.substr(dot + 1);
    if (minified.empty() || minified == "<anonymous>") continue;
    // The caller's call site names the function it entered, when it called it by that name.
    if (i + 1 < frames.size() && out[i + 1].position && !out[i + 1].position->name.empty()) {
      std::string_view at = bundle.from(frames[i + 1].line, frames[i + 1].column);
      if (at.starts_with(minified) && (at.size() == minified.size() || !is_ident(at[minified.size()]))) {
        out[i].function = out[i + 1].position->name;
        continue;
      }
    }
    if (out[i].position && out[i].position->has_content) {
      out[i].function = enclosing_function(*out[i].position);
      out[i].anonymous = out[i].function.empty();
      continue;
    }
    out[i].function = function_name(frames[i].line, frames[i].column, minified, bundle);
  }
  return out;
}

line_index::line_index(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(static_cast<std::uint32_t>(i + 1));
}

std::string_view line_index::line(std::uint32_t n) const {
  if (n == 0 || n > starts_.size()) return {};
  std::size_t begin = starts_[n - 1];
  std::size_t end = n < starts_.size() ? starts_[n] - 1 : text_.size();
  std::string_view l = text_.substr(begin, end - begin);
  if (l.ends_with('\r')) l.remove_suffix(1);
  return l;
}

std::string_view line_index::from(std::uint32_t n, std::uint32_t column) const {
  std::string_view l = line(n);
  return column == 0 || column > l.size() ? std::string_view{} : l.substr(column - 1);
}

namespace {

constexpr std::size_t context_width = 150;

// Moves a byte offset back to the start of the UTF-8 character it is in.
std::size_t char_start(std::string_view s, std::size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

std::string_view cut(std::string_view line, std::size_t from) {
  from = char_start(line, std::min(from, line.size()));
  std::size_t to = from + context_width >= line.size() ? line.size() : char_start(line, from + context_width);
  return line.substr(from, to - from);
}

}  // namespace

namespace {

source_context lines_around(const line_index& lines, std::uint32_t line, std::uint32_t column, std::uint32_t radius) {
  source_context out;
  if (line == 0 || line > lines.lines()) return out;
  for (std::uint32_t n = line > radius ? line - radius : 1; n < line; ++n) out.pre.emplace_back(cut(lines.line(n), 0));
  std::string_view here = lines.line(line);
  std::size_t col = column ? column - 1 : 0;
  out.line = cut(here, here.size() > context_width && col > context_width / 2 ? col - context_width / 2 : 0);
  for (std::uint32_t n = line + 1; n <= line + radius && n <= lines.lines(); ++n) {
    if (n == lines.lines() && lines.line(n).empty()) break;  // the end of a text that ends its last line
    out.post.emplace_back(cut(lines.line(n), 0));
  }
  return out;
}

}  // namespace

source_context context_of(std::string_view content, std::uint32_t line, std::uint32_t column, std::uint32_t radius) {
  return lines_around(line_index(content), line, column, radius);
}

std::string source_map::enclosing_function(const original_position& at) const {
  if (!at.has_content || at.section >= impl_->sections.size()) return {};
  const flat_map& m = impl_->sections[at.section].map;
  if (at.source >= m.scopes.size()) return {};
  return std::string(scope_name(m.scopes[at.source], m.scope_names, at.line, at.column));
}

source_context source_map::context(const original_position& at, std::uint32_t radius) const {
  if (!at.has_content || at.section >= impl_->sections.size()) return {};
  const impl::open_source* o = impl_->read(at.section, at.source);
  return o ? lines_around(o->lines, at.line, at.column, radius) : source_context{};
}

}  // namespace edgelog
