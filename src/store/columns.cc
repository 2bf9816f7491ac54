// The column codec of version-2 segments: writing the columns of a segment's events, and reading
// back the ones a read needs.
#include "store/columns.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "detail/varint.h"
#include "store/compress.h"

namespace edgelog::detail {
namespace {

constexpr std::uint8_t codec_raw = 0, codec_zstd = 1;
// Below this a column is stored as it is: a zstd frame would not pay for its header.
constexpr std::size_t compress_from = 64;

enum message_kind : std::uint8_t { message_empty = 0, message_templated = 1, message_literal = 2 };

constexpr std::uint8_t field_column(stored_field f) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(column_id::field_base) + static_cast<std::uint8_t>(f));
}

// Distinct values in order of first appearance, and each row's index among them.
class dictionary {
 public:
  explicit dictionary(std::size_t rows) { index_.reserve(rows); refs_.reserve(rows); }
  std::uint32_t add(std::string_view v) {
    if (!refs_.empty() && entries_[refs_.back()] == v) {  // runs of one value are common
      refs_.push_back(refs_.back());
      return refs_.back();
    }
    auto [it, fresh] = index_.try_emplace(v, static_cast<std::uint32_t>(entries_.size()));
    if (fresh) entries_.push_back(v);
    refs_.push_back(it->second);
    return it->second;
  }
  const std::vector<std::string_view>& entries() const noexcept { return entries_; }
  // The count, the entries, then (with more than one) each row's index.
  void write(std::string& out) const {
    put_varint(out, entries_.size());
    for (auto e : entries_) put_bytes(out, e);
    if (entries_.size() > 1)
      for (auto r : refs_) put_varint(out, r);
  }

 private:
  std::unordered_map<std::string_view, std::uint32_t> index_;
  std::vector<std::string_view> entries_;
  std::vector<std::uint32_t> refs_;
};

void put_column(std::string& out, std::uint8_t id, std::string_view raw, int zstd_level, std::string& scratch) {
  out.push_back(static_cast<char>(id));
  if (raw.size() >= compress_from) {
    scratch.clear();
    zstd_compress(raw, zstd_level, scratch);
    if (scratch.size() < raw.size()) {
      out.push_back(static_cast<char>(codec_zstd));
      put_varint(out, raw.size());
      put_bytes(out, scratch);
      return;
    }
  }
  out.push_back(static_cast<char>(codec_raw));
  put_varint(out, raw.size());
  put_bytes(out, raw);
}

bool any_value(std::span<const stored_event> rows, stored_field f) {
  for (const auto& r : rows)
    if (!r[f].empty()) return true;
  return false;
}

}  // namespace

void write_columns(std::span<const stored_event> rows, std::int64_t ts_min, int zstd_level, std::string& out) {
  column_list columns;
  columns.reserve(16 + stored_field_count);
  auto& ts = columns.emplace_back(static_cast<std::uint8_t>(column_id::ts), std::string()).second;
  std::int64_t previous = ts_min;
  for (const auto& r : rows) {
    put_zigzag(ts, r.ts - previous);
    previous = r.ts;
  }
  auto& levels = columns.emplace_back(static_cast<std::uint8_t>(column_id::level), std::string()).second;
  for (const auto& r : rows) levels.push_back(static_cast<char>(r.severity));

  // Messages: each as the values of its template's placeholders (numbers as varints + 1, 0 when
  // the value is in the text column), or whole when the template does not give it back.
  std::string kinds, numbers, text;
  std::unordered_map<std::string_view, template_pieces> pieces;
  std::vector<std::string_view> values;
  for (const auto& r : rows) {
    std::string_view message = r[stored_field::message];
    if (message.empty()) {
      kinds.push_back(static_cast<char>(message_empty));
      continue;
    }
    auto [it, fresh] = pieces.try_emplace(r[stored_field::template_]);
    if (fresh) split_template(it->first, it->second);
    if (!message_values(it->second, message, values)) {
      kinds.push_back(static_cast<char>(message_literal));
      put_bytes(text, message);
      continue;
    }
    kinds.push_back(static_cast<char>(message_templated));
    for (std::size_t k = 0; k < values.size(); ++k) {
      std::uint64_t n = 0;
      if (it->second.integer[k] && canonical_integer(values[k]) &&
          std::from_chars(values[k].data(), values[k].data() + values[k].size(), n).ec == std::errc{} &&
          n < UINT64_MAX) {
        put_varint(numbers, n + 1);
        continue;
      }
      if (it->second.integer[k]) numbers.push_back(0);
      put_bytes(text, values[k]);
    }
  }
  columns.emplace_back(static_cast<std::uint8_t>(column_id::message), std::move(kinds));
  if (!numbers.empty()) columns.emplace_back(static_cast<std::uint8_t>(column_id::message_numbers), std::move(numbers));
  if (!text.empty()) columns.emplace_back(static_cast<std::uint8_t>(column_id::message_text), std::move(text));

  write_stack_columns(rows, columns);
  write_extra_columns(rows, columns);

  for (std::size_t i = 0; i < stored_field_count; ++i) {
    auto f = static_cast<stored_field>(i);
    if (f == stored_field::message || f == stored_field::stack || !any_value(rows, f)) continue;
    dictionary d(rows.size());
    for (const auto& r : rows) d.add(r[f]);
    std::string column;
    d.write(column);
    columns.emplace_back(field_column(f), std::move(column));
  }

  std::sort(columns.begin(), columns.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  put_varint(out, columns.size());
  std::string scratch;
  for (const auto& [id, raw] : columns) put_column(out, id, raw, zstd_level, scratch);
}

errc column_reader::column(column_id id, std::string_view& out) {
  auto i = static_cast<std::size_t>(id);
  stored_column& c = columns_[i];
  out = {};
  if (!c.present) return errc::ok;
  if (c.done) {
    out = buffers_[i];
    return errc::ok;
  }
  c.done = true;
  ++decoded_;
  if (c.codec == codec_raw) {
    if (c.bytes.size() != c.size) return errc::corrupt_segment;
    buffers_[i].assign(c.bytes);
  } else if (!zstd_decompress(c.bytes, max_column_bytes, buffers_[i]) || buffers_[i].size() != c.size) {
    return errc::corrupt_segment;
  }
  out = buffers_[i];
  return errc::ok;
}

errc column_reader::read_dictionary(column_id id, std::size_t events, std::vector<std::string_view>& entries,
                                    std::vector<std::uint32_t>& refs) {
  entries.clear();
  refs.assign(events, 0);
  std::string_view data;
  if (errc e = column(id, data); e != errc::ok) return e;
  if (!columns_[static_cast<std::size_t>(id)].present) {
    entries.emplace_back();
    return errc::ok;
  }
  byte_cursor in(data);
  std::uint64_t count = 0;
  if (!in.varint(count) || count == 0 || count > events) return errc::corrupt_segment;
  entries.resize(static_cast<std::size_t>(count));
  for (auto& e : entries)
    if (!in.bytes(e)) return errc::corrupt_segment;
  if (count > 1)
    for (auto& r : refs) {
      std::uint64_t v = 0;
      if (!in.varint(v) || v >= count) return errc::corrupt_segment;
      r = static_cast<std::uint32_t>(v);
    }
  return in.at_end() ? errc::ok : errc::corrupt_segment;
}

errc column_reader::read_message(std::vector<stored_event>& rows) {
  std::string_view kinds, numbers, text;
  if (errc e = column(column_id::message, kinds); e != errc::ok) return e;
  if (errc e = column(column_id::message_numbers, numbers); e != errc::ok) return e;
  if (errc e = column(column_id::message_text, text); e != errc::ok) return e;
  if (kinds.size() != rows.size()) return errc::corrupt_segment;
  pieces_.resize(templates_.size());
  std::vector<bool> split(templates_.size(), false);
  byte_cursor nums(numbers), strings(text);
  char digits[24];
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto kind = static_cast<std::uint8_t>(kinds[i]);
    std::size_t start = arena_.size();
    std::string_view v;
    if (kind == message_literal) {
      if (!strings.bytes(v)) return errc::corrupt_segment;
      arena_.append(v);
    } else if (kind == message_templated) {
      std::uint32_t t = template_refs_[i];
      if (!split[t]) {
        split_template(templates_[t], pieces_[t]);
        split[t] = true;
      }
      const template_pieces& p = pieces_[t];
      arena_.append(p.literals[0]);
      for (std::size_t k = 0; k < p.integer.size(); ++k) {
        std::uint64_t n = 0;
        if (p.integer[k] && !nums.varint(n)) return errc::corrupt_segment;
        if (n) {
          auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n - 1);
          arena_.append(digits, static_cast<std::size_t>(end - digits));
        } else {
          if (!strings.bytes(v)) return errc::corrupt_segment;
          arena_.append(v);
        }
        arena_.append(p.literals[k + 1]);
      }
    } else if (kind != message_empty) {
      return errc::corrupt_segment;
    }
    if (arena_.size() > max_column_bytes) return errc::corrupt_segment;
    spans_[i] = {start, arena_.size() - start};
  }
  if (!nums.at_end() || !strings.at_end()) return errc::corrupt_segment;
  return errc::ok;
}

errc column_reader::read(std::string_view section, std::int64_t ts_min, const segment_parts& wanted,
                         std::vector<stored_event>& rows) {
  decoded_ = 0;
  for (auto& c : columns_) c = stored_column{};
  byte_cursor in(section);
  std::uint64_t count = 0;
  if (!in.varint(count) || count > columns_.size()) return errc::corrupt_segment;
  int last = -1;
  for (std::uint64_t k = 0; k < count; ++k) {
    std::uint8_t id = 0;
    stored_column c;
    if (!in.byte(id) || !in.byte(c.codec) || !in.varint(c.size) || !in.bytes(c.bytes)) return errc::corrupt_segment;
    // Ascending ids, each once; an id this build does not know is refused.
    bool known = id <= static_cast<std::uint8_t>(column_id::extra_text) ||
                 (id >= field_column(stored_field::message) && id < field_column(stored_field::count_) &&
                  id != field_column(stored_field::message) && id != field_column(stored_field::stack)) ||
                 (id >= static_cast<std::uint8_t>(column_id::extra_values) &&
                  id < static_cast<std::uint8_t>(column_id::extra_values) + extra_value_columns) ||
                 id == static_cast<std::uint8_t>(column_id::extra_overflow);
    if (static_cast<int>(id) <= last || !known || c.codec > codec_zstd || c.size > max_column_bytes)
      return errc::corrupt_segment;
    last = id;
    c.present = true;
    columns_[id] = c;
  }
  if (!in.at_end()) return errc::corrupt_segment;
  std::size_t n = rows.size();
  if (!columns_[0].present || !columns_[1].present || !columns_[2].present) return errc::corrupt_segment;

  std::string_view data;
  if (errc e = column(column_id::ts, data); e != errc::ok) return e;
  byte_cursor ts(data);
  std::int64_t previous = ts_min;
  for (auto& r : rows) {
    std::int64_t delta = 0;
    if (!ts.zigzag(delta)) return errc::corrupt_segment;
    r.ts = previous = static_cast<std::int64_t>(static_cast<std::uint64_t>(previous) + static_cast<std::uint64_t>(delta));
  }
  if (!ts.at_end()) return errc::corrupt_segment;
  if (errc e = column(column_id::level, data); e != errc::ok) return e;
  if (data.size() != n) return errc::corrupt_segment;
  for (std::size_t i = 0; i < n; ++i) {
    auto lvl = static_cast<std::uint8_t>(data[i]);
    if (lvl > static_cast<std::uint8_t>(level::fatal)) return errc::corrupt_segment;
    rows[i].severity = static_cast<level>(lvl);
  }

  for (std::size_t i = 0; i < stored_field_count; ++i) {
    auto f = static_cast<stored_field>(i);
    if (f == stored_field::message || f == stored_field::stack) continue;
    // Messages are rebuilt from their templates.
    bool is_template = f == stored_field::template_;
    if (!wanted.has(f) && !(is_template && wanted.has(stored_field::message))) continue;
    auto& entries = is_template ? templates_ : entries_;
    auto& refs = is_template ? template_refs_ : refs_;
    if (errc e = read_dictionary(static_cast<column_id>(field_column(f)), n, entries, refs); e != errc::ok) return e;
    for (std::size_t r = 0; r < n; ++r) rows[r].fields[i] = entries[refs[r]];
  }

  arena_.clear();
  spans_.assign(n * 3, {0, 0});
  if (wanted.has(stored_field::message))
    if (errc e = read_message(rows); e != errc::ok) return e;
  if (wanted.has(stored_field::stack))
    if (errc e = read_stack(rows); e != errc::ok) return e;
  bool whole = wanted.extra;
  if (!whole && !wanted.extra_paths.empty())
    if (errc e = read_extra_paths(rows, wanted.extra_paths, whole); e != errc::ok) return e;
  if (whole)
    if (errc e = read_extra(rows); e != errc::ok) return e;
  // The arena is complete: the rebuilt parts can point into it.
  std::string_view arena = arena_;
  for (std::size_t r = 0; r < n; ++r) {
    if (wanted.has(stored_field::message))
      rows[r].fields[static_cast<std::size_t>(stored_field::message)] = arena.substr(spans_[r].first, spans_[r].second);
    if (wanted.has(stored_field::stack))
      rows[r].fields[static_cast<std::size_t>(stored_field::stack)] = arena.substr(spans_[n + r].first, spans_[n + r].second);
    if (spans_[2 * n + r].first != npos_span)
      rows[r].extra = arena.substr(spans_[2 * n + r].first, spans_[2 * n + r].second);
  }
  return errc::ok;
}

}  // namespace edgelog::detail
