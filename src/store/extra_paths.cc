// Extras rebuilt with only the values a read needs (segment_parts::extra_paths). Each wanted path
// is found once per shape, in the shape filled with markers and read as the matcher reads it, so
// it lands where it would in the whole extra; only the columns of the slots found are decoded. An
// aggregation over ctx.db.latency_ms decodes ts, level, the shapes and that path's values.
#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "detail/json_path.h"
#include "detail/json_writer.h"
#include "store/columns.h"
#include "store/shapes.h"

namespace edgelog::detail {
namespace {

// Where a wanted path's value is in a shape: a slot (≥ 0) or one of these.
constexpr std::int32_t absent = -1, literal_true = -2, literal_false = -3, literal_null = -4;

std::string joined(const std::vector<std::string>& path) {
  std::string out;
  for (std::size_t k = 1; k < path.size(); ++k) {
    if (k > 1) out += '.';
    out += path[k];
  }
  return out;
}

// True when one path could be read as the other or inside it: the same keys once joined by dots,
// or one's a dotted prefix of the other's. Rebuilt nested, one would answer with the other's
// value or object.
bool overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a[0] != b[0]) return false;  // ctx and tags
  std::string x = joined(a), y = joined(b);
  if (x.size() > y.size()) std::swap(x, y);
  return y.compare(0, x.size(), x) == 0 && (y.size() == x.size() || y[x.size()] == '.');
}

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

// The shape as a JSON object whose string slot k holds "k" and number slot k holds k.
void fill(const template_pieces& p, std::string& out) {
  out.assign(1, '{');
  char digits[16];
  for (std::size_t k = 0; k < p.integer.size(); ++k) {
    out.append(p.literals[k]);
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, k);
    out.append(digits, static_cast<std::size_t>(end - digits));
  }
  out.append(p.literals.back());
  out.push_back('}');
}

// Where `path` ({top key, keys…}) is in the filled shape: false when it meets an object, an
// array or anything but a slot or a literal.
bool locate(simdjson::dom::element root, const std::vector<std::string>& path, const template_pieces& p,
            std::int32_t& out) {
  out = absent;
  simdjson::dom::element top;
  if (root[path[0]].get(top)) return true;
  auto found = find_path(top, path, 1);
  if (!found) return true;
  std::uint64_t k = 0;
  switch (found->type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view text = found->get_string().value_unsafe();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), k);
      if (ec != std::errc{} || end != text.data() + text.size() || k >= p.integer.size() || p.integer[k]) return false;
      break;
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      if (found->get_uint64().get(k) || k >= p.integer.size() || !p.integer[k]) return false;
      break;
    case simdjson::dom::element_type::BOOL:
      out = found->get_bool().value_unsafe() ? literal_true : literal_false;
      return true;
    case simdjson::dom::element_type::NULL_VALUE: out = literal_null; return true;
    default: return false;
  }
  out = static_cast<std::int32_t>(k);
  return true;
}

// Appends `"key":value` for `path` below the objects already open, closing those it leaves and
// opening those it enters (paths come sorted, so each object is opened once).
void nest(std::string& out, const std::vector<std::string>& path, std::string_view value,
          std::vector<const std::string*>& open, std::vector<bool>& first) {
  std::size_t keep = 0;
  while (keep < open.size() && keep + 1 < path.size() && *open[keep] == path[keep]) ++keep;
  for (; open.size() > keep; open.pop_back()) out.push_back('}');
  json_writer w(out);
  for (std::size_t d = keep;; ++d) {
    if (!first[d]) out.push_back(',');
    first[d] = false;
    w.string(path[d]);
    out.push_back(':');
    if (d + 1 == path.size()) break;
    out.push_back('{');
    open.push_back(&path[d]);
    first[d + 1] = true;
  }
  out.append(value);
}

}  // namespace

errc column_reader::read_extra_paths(std::vector<stored_event>& rows, const std::vector<std::vector<std::string>>& paths,
                                     bool& whole) {
  whole = false;
  std::vector<const std::vector<std::string>*> wanted;
  for (const auto& p : paths) {
    if (p.size() < 2) return whole = true, errc::ok;  // ctx or tags itself: an object
    wanted.push_back(&p);
  }
  std::sort(wanted.begin(), wanted.end(), [](auto* a, auto* b) { return *a < *b; });
  wanted.erase(std::unique(wanted.begin(), wanted.end(), [](auto* a, auto* b) { return *a == *b; }), wanted.end());
  for (std::size_t a = 0; a < wanted.size(); ++a)
    for (std::size_t b = a + 1; b < wanted.size(); ++b)
      if (overlap(*wanted[a], *wanted[b])) return whole = true, errc::ok;

  std::string_view data, text;
  if (errc e = column(column_id::extra, data); e != errc::ok) return e;
  if (errc e = column(column_id::extra_text, text); e != errc::ok) return e;
  if (!columns_[static_cast<std::size_t>(column_id::extra)].present)
    return text.empty() ? errc::ok : errc::corrupt_segment;
  byte_cursor in(data), literal(text);
  if (errc e = read_extra_shapes(data, in); e != errc::ok) return e;

  // Each shape's wanted paths, located once; the slots found say which columns to decode.
  const std::size_t w = wanted.size(), shapes = pieces_.size();
  resolved_.assign(shapes * w, absent);
  std::vector<std::size_t> slot_start(shapes + 1, 0);
  for (std::size_t s = 0; s < shapes; ++s) slot_start[s + 1] = slot_start[s] + pieces_[s].paths.size();
  std::vector<std::int32_t> slot_wanted(slot_start[shapes], -1);
  std::array<bool, 256> needed{};
  for (std::size_t s = 0; s < shapes; ++s) {
    const template_pieces& p = pieces_[s];
    fill(p, scratch_);
    simdjson::dom::element root;
    if (parser().parse(scratch_).get(root)) return whole = true, errc::ok;
    for (std::size_t k = 0; k < w; ++k) {
      std::int32_t& at = resolved_[s * w + k];
      if (!locate(root, *wanted[k], p, at)) return whole = true, errc::ok;
      if (at < 0) continue;
      slot_wanted[slot_start[s] + static_cast<std::size_t>(at)] = static_cast<std::int32_t>(k);
      needed[values_column(p.paths[static_cast<std::size_t>(at)])] = true;
    }
  }
  // A column shared by several paths (the overflow) is walked through all of them.
  for (auto& c : cursors_) c.reset();
  for (const auto& p : pieces_)
    for (std::uint32_t path : p.paths)
      if (needed[values_column(path)])
        if (errc e = walk_path(path); e != errc::ok) return e;

  const std::size_t n = rows.size();
  std::size_t depth = 0;
  for (const auto* p : wanted) depth = std::max(depth, p->size());
  std::vector<const std::string*> open;
  std::vector<bool> first(depth + 1);
  values_.resize(w);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t ref = 0;
    if (errc e = event_shape(in, literal, rows, i, ref); e != errc::ok) return e;
    if (ref == 0) continue;
    const std::size_t s = static_cast<std::size_t>(ref - 1);
    const template_pieces& p = pieces_[s];
    for (std::size_t k = 0; k < p.paths.size(); ++k) {
      if (!path_cursors_[p.paths[k]]) continue;
      std::int32_t field = slot_wanted[slot_start[s] + k];
      std::string& into = field < 0 ? scratch_ : values_[static_cast<std::size_t>(field)];
      into.clear();
      if (errc e = take_value(p.paths[k], p.integer[k], into); e != errc::ok) return e;
    }
    std::size_t start = arena_.size();
    open.clear();
    std::fill(first.begin(), first.end(), true);
    for (std::size_t k = 0; k < w; ++k) {
      std::int32_t at = resolved_[s * w + k];
      if (at == absent) continue;
      if (at >= 0 && !p.integer[static_cast<std::size_t>(at)]) {
        values_[k].insert(values_[k].begin(), '"');
        values_[k].push_back('"');
      }
      std::string_view value = at >= 0 ? std::string_view(values_[k])
                               : at == literal_true ? "true" : at == literal_false ? "false" : "null";
      nest(arena_, *wanted[k], value, open, first);
    }
    arena_.append(open.size(), '}');
    if (arena_.size() > max_column_bytes) return errc::corrupt_segment;
    spans_[2 * n + i] = {start, arena_.size() - start};
  }
  if (!in.at_end()) return errc::corrupt_segment;
  return walked_to_end(literal);
}

}  // namespace edgelog::detail
