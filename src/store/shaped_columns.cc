// The columns of stacks and of extras: shapes stored once per segment, and the values taken out
// of them, numbers as varints (src/store/shapes.h).
#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "detail/varint.h"
#include "store/columns.h"
#include "store/shapes.h"

namespace edgelog::detail {
namespace {

constexpr std::uint8_t id(column_id c) { return static_cast<std::uint8_t>(c); }

// Distinct shapes in order of first appearance. Events mostly repeat a few shapes: the last ones
// used are compared first, before hashing.
class shape_dictionary {
 public:
  // The shape's index + 1, and whether it is new.
  std::pair<std::uint32_t, bool> add(const std::string& shape) {
    for (std::uint32_t id : recent_)
      if (id && shapes_[id - 1] == shape) return {id, false};
    auto [it, fresh] = ids_.try_emplace(shape, static_cast<std::uint32_t>(shapes_.size()));
    if (fresh) shapes_.push_back(shape);
    std::uint32_t id = it->second + 1;
    recent_[next_++ % recent_.size()] = id;
    return {id, fresh};
  }
  const std::vector<std::string>& shapes() const noexcept { return shapes_; }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> shapes_;
  std::array<std::uint32_t, 4> recent_{};
  std::size_t next_ = 0;
};

// A shape's text between its slots, and (with `numbers`) whether each slot is a number.
void split_at_slots(std::string_view shape, std::vector<std::string_view>& literals, std::vector<bool>* numbers = nullptr) {
  literals.clear();
  if (numbers) numbers->clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] != slot_string && shape[i] != slot_number) continue;
    literals.push_back(shape.substr(start, i - start));
    if (numbers) numbers->push_back(shape[i] == slot_number);
    start = i + 1;
  }
  literals.push_back(shape.substr(start));
}

std::size_t line_count(std::string_view stack) {
  std::size_t n = 1;
  for (char c : stack) n += c == '\n';
  return n;
}

}  // namespace

void write_stack_columns(std::span<const stored_event> rows, column_list& out) {
  bool any = false;
  for (const auto& r : rows) any |= !r[stored_field::stack].empty();
  if (!any) return;
  shape_dictionary shapes;
  std::string refs, numbers, text, shape;
  std::vector<std::uint64_t> values;
  for (const auto& r : rows) {
    std::string_view stack = r[stored_field::stack];
    if (stack.empty()) {
      refs.push_back(0);
      continue;
    }
    put_varint(refs, line_count(stack));
    for (std::size_t start = 0;;) {
      std::size_t end = stack.find('\n', start);
      std::string_view line = stack.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (stack_line_shape(line, shape, values)) {
        put_varint(refs, shapes.add(shape).first);
        for (auto v : values) put_varint(numbers, v);
      } else {
        refs.push_back(0);
        put_bytes(text, line);
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  std::string column;
  put_varint(column, shapes.shapes().size());
  for (const auto& s : shapes.shapes()) put_bytes(column, s);
  column.append(refs);
  out.emplace_back(id(column_id::stack), std::move(column));
  if (!numbers.empty()) out.emplace_back(id(column_id::stack_numbers), std::move(numbers));
  if (!text.empty()) out.emplace_back(id(column_id::stack_text), std::move(text));
}

void write_extra_columns(std::span<const stored_event> rows, column_list& out) {
  bool any = false;
  for (const auto& r : rows) any |= !r.extra.empty();
  if (!any) return;
  extra_shaper shaper;
  shape_dictionary shapes;
  std::vector<std::vector<std::uint32_t>> slots;  // per shape, the path of each slot
  std::string refs, text, shape;
  std::vector<shape_value> values;
  std::vector<std::string> columns(extra_value_columns + 1);
  struct strings {
    std::uint32_t count = 0;  // new strings so far
    std::array<std::pair<std::string_view, std::uint32_t>, 4> recent{};  // text, index + 1
    std::size_t next = 0;
  };
  std::vector<strings> seen;  // per path
  for (const auto& r : rows) {
    if (!extra_shape(r.extra, shape, values)) {
      refs.push_back(0);
      put_bytes(text, r.extra);
      continue;
    }
    auto [ref, fresh] = shapes.add(shape);
    if (fresh) shaper.slot_paths(shape, slots.emplace_back());
    put_varint(refs, ref);
    if (seen.size() < shaper.paths().size()) seen.resize(shaper.paths().size());
    const auto& paths = slots[ref - 1];
    for (std::size_t k = 0; k < values.size(); ++k) {
      const shape_value& v = values[k];
      std::uint32_t path = paths[k];
      std::string& col = columns[std::min<std::size_t>(path, extra_value_columns)];
      if (v.number) {
        if (std::uint64_t code = number_code(v.text)) {
          put_varint(col, code);
        } else {
          col.push_back(0);
          put_bytes(col, v.text);
        }
        continue;
      }
      // One of the last strings at this path is its index + 1; another is 0 and its text (zstd
      // finds the ones that repeat further apart).
      auto& at = seen[path];
      auto hit = std::find_if(at.recent.begin(), at.recent.end(),
                              [&](const auto& r) { return r.second && r.first == v.text; });
      if (hit != at.recent.end()) {
        put_varint(col, hit->second);
        continue;
      }
      at.recent[at.next++ % at.recent.size()] = {v.text, ++at.count};
      col.push_back(0);
      put_bytes(col, v.text);
    }
  }
  std::string column;
  put_varint(column, shaper.paths().size());
  for (const auto& p : shaper.paths()) put_bytes(column, p);
  put_varint(column, shapes.shapes().size());
  for (std::size_t s = 0; s < slots.size(); ++s) {
    put_bytes(column, shapes.shapes()[s]);
    put_varint(column, slots[s].size());
    for (auto p : slots[s]) put_varint(column, p);
  }
  column.append(refs);
  out.emplace_back(id(column_id::extra), std::move(column));
  if (!text.empty()) out.emplace_back(id(column_id::extra_text), std::move(text));
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (!columns[c].empty())
      out.emplace_back(c < extra_value_columns ? static_cast<std::uint8_t>(id(column_id::extra_values) + c)
                                               : id(column_id::extra_overflow),
                       std::move(columns[c]));
}

errc column_reader::read_stack(std::vector<stored_event>& rows) {
  std::string_view data, numbers, text;
  if (errc e = column(column_id::stack, data); e != errc::ok) return e;
  if (errc e = column(column_id::stack_numbers, numbers); e != errc::ok) return e;
  if (errc e = column(column_id::stack_text, text); e != errc::ok) return e;
  if (!columns_[id(column_id::stack)].present) return numbers.empty() && text.empty() ? errc::ok : errc::corrupt_segment;
  byte_cursor in(data), nums(numbers), lines(text);
  std::uint64_t count = 0;
  if (!in.varint(count) || count > data.size()) return errc::corrupt_segment;
  // Each shape as its text between number slots.
  pieces_.resize(static_cast<std::size_t>(count));
  for (auto& p : pieces_) {
    std::string_view shape;
    if (!in.bytes(shape)) return errc::corrupt_segment;
    split_at_slots(shape, p.literals);
  }
  std::size_t n = rows.size();
  char buf[24];
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t line_total = 0;
    if (!in.varint(line_total)) return errc::corrupt_segment;
    std::size_t start = arena_.size();
    for (std::uint64_t k = 0; k < line_total; ++k) {
      std::uint64_t ref = 0;
      if (!in.varint(ref) || ref > count) return errc::corrupt_segment;
      if (k) arena_.push_back('\n');
      if (ref == 0) {
        std::string_view line;
        if (!lines.bytes(line)) return errc::corrupt_segment;
        arena_.append(line);
      } else {
        const auto& lit = pieces_[static_cast<std::size_t>(ref - 1)].literals;
        arena_.append(lit[0]);
        for (std::size_t j = 1; j < lit.size(); ++j) {
          std::uint64_t v = 0;
          if (!nums.varint(v)) return errc::corrupt_segment;
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
          arena_.append(buf, static_cast<std::size_t>(end - buf));
          arena_.append(lit[j]);
        }
      }
      if (arena_.size() > max_column_bytes) return errc::corrupt_segment;
    }
    spans_[n + i] = {start, arena_.size() - start};
  }
  return in.at_end() && nums.at_end() && lines.at_end() ? errc::ok : errc::corrupt_segment;
}

errc column_reader::read_extra_shapes(std::string_view data, byte_cursor& in) {
  std::uint64_t paths = 0, shapes = 0;
  if (!in.varint(paths) || paths > data.size()) return errc::corrupt_segment;
  for (std::uint64_t p = 0; p < paths; ++p) {
    std::string_view name;
    if (!in.bytes(name)) return errc::corrupt_segment;
  }
  path_cursors_.assign(static_cast<std::size_t>(paths), nullptr);
  seen_.resize(static_cast<std::size_t>(paths));
  for (auto& s : seen_) s.clear();
  // Each shape as its text between slots, and each slot's path.
  if (!in.varint(shapes) || shapes > data.size()) return errc::corrupt_segment;
  pieces_.resize(static_cast<std::size_t>(shapes));
  lengths_.resize(static_cast<std::size_t>(shapes));
  for (auto& p : pieces_) {
    std::string_view shape;
    std::uint64_t count = 0;
    if (!in.bytes(shape) || !in.varint(count) || !valid_extra_shape(shape)) return errc::corrupt_segment;
    split_at_slots(shape, p.literals, &p.integer);
    if (count != p.integer.size()) return errc::corrupt_segment;
    lengths_[static_cast<std::size_t>(&p - pieces_.data())] = shape.size() - static_cast<std::size_t>(count);
    p.paths.resize(static_cast<std::size_t>(count));
    for (auto& path : p.paths) {
      std::uint64_t v = 0;
      if (!in.varint(v) || v >= paths) return errc::corrupt_segment;
      path = static_cast<std::uint32_t>(v);
    }
  }
  return errc::ok;
}

std::uint8_t column_reader::values_column(std::uint32_t path) noexcept {
  return path < extra_value_columns ? static_cast<std::uint8_t>(id(column_id::extra_values) + path)
                                    : id(column_id::extra_overflow);
}

errc column_reader::walk_path(std::uint32_t path) {
  if (path_cursors_[path]) return errc::ok;
  std::uint8_t c = values_column(path);
  if (!cursors_[c]) {
    std::string_view bytes;
    if (errc e = column(static_cast<column_id>(c), bytes); e != errc::ok) return e;
    cursors_[c].emplace(bytes);
  }
  path_cursors_[path] = &*cursors_[c];
  return errc::ok;
}

errc column_reader::take_value(std::uint32_t path, bool number, std::string& out) {
  byte_cursor& values = *path_cursors_[path];
  std::uint64_t v = 0;
  std::string_view bytes;
  if (!values.varint(v)) return errc::corrupt_segment;
  if (v == 0) {
    if (!values.bytes(bytes) || !(number ? valid_number_text(bytes) : valid_string_text(bytes)))
      return errc::corrupt_segment;
    out.append(bytes);
    if (!number) seen_[path].push_back(bytes);
  } else if (number) {
    append_number(out, v);
  } else {
    if (v > seen_[path].size()) return errc::corrupt_segment;
    out.append(seen_[path][static_cast<std::size_t>(v - 1)]);
  }
  return errc::ok;
}

errc column_reader::event_shape(byte_cursor& in, byte_cursor& literal, std::vector<stored_event>& rows, std::size_t i,
                                std::uint64_t& ref) {
  if (!in.varint(ref) || ref > pieces_.size()) return errc::corrupt_segment;
  if (ref) return errc::ok;
  if (!literal.bytes(rows[i].extra) || !valid_extra_text(rows[i].extra)) return errc::corrupt_segment;
  spans_[2 * rows.size() + i].first = npos_span;
  return errc::ok;
}

errc column_reader::walked_to_end(const byte_cursor& literal) const {
  if (!literal.at_end()) return errc::corrupt_segment;
  for (const auto& c : cursors_)
    if (c && !c->at_end()) return errc::corrupt_segment;
  return errc::ok;
}

errc column_reader::read_extra(std::vector<stored_event>& rows) {
  std::string_view data, text;
  if (errc e = column(column_id::extra, data); e != errc::ok) return e;
  if (errc e = column(column_id::extra_text, text); e != errc::ok) return e;
  if (!columns_[id(column_id::extra)].present) return text.empty() ? errc::ok : errc::corrupt_segment;
  byte_cursor in(data), literal(text);
  if (errc e = read_extra_shapes(data, in); e != errc::ok) return e;
  // Each path reads its values from its column, in event order: a cursor per column.
  for (auto& c : cursors_) c.reset();
  for (const auto& p : pieces_)
    for (std::uint32_t path : p.paths)
      if (errc e = walk_path(path); e != errc::ok) return e;
  std::size_t n = rows.size(), shapes = pieces_.size();
  // Room for every rebuilt extra at once: the shapes' text per event, and the values (a number's
  // text is at most about three times its code).
  std::size_t room = 0;
  byte_cursor probe = in;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t ref = 0;
    if (!probe.varint(ref) || ref > shapes) return errc::corrupt_segment;
    if (ref) room += lengths_[static_cast<std::size_t>(ref - 1)];
  }
  for (const auto& c : cursors_)
    if (c) room += 3 * c->remaining();
  arena_.reserve(arena_.size() + room);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t ref = 0;
    if (errc e = event_shape(in, literal, rows, i, ref); e != errc::ok) return e;
    if (ref == 0) continue;
    const auto& p = pieces_[static_cast<std::size_t>(ref - 1)];
    std::size_t start = arena_.size();
    arena_.append(p.literals[0]);
    for (std::size_t k = 0; k < p.paths.size(); ++k) {
      if (errc e = take_value(p.paths[k], p.integer[k], arena_); e != errc::ok) return e;
      arena_.append(p.literals[k + 1]);
    }
    if (arena_.size() > max_column_bytes) return errc::corrupt_segment;
    spans_[2 * n + i] = {start, arena_.size() - start};
  }
  if (!in.at_end()) return errc::corrupt_segment;
  return walked_to_end(literal);
}

}  // namespace edgelog::detail
