// Aggregations: the `by` and `agg` syntax, groups with their measures, the percentile sketch and
// the HyperLogLog, and the state that carries them from one read of a walk to the next.
#include "edgelog/read/aggregate.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "detail/base64.h"
#include "detail/case_fold.h"
#include "detail/varint.h"
#include "edgelog/store/token_filter.h"

namespace edgelog {
namespace {

using kind = measure_spec::kind;
using json = nlohmann::json;

constexpr double sketch_alpha = 0.01;  // relative error of a percentile
const double sketch_gamma = (1 + sketch_alpha) / (1 - sketch_alpha);
const double sketch_log_gamma = std::log(sketch_gamma);
constexpr unsigned hll_bits = 12;
constexpr std::size_t hll_registers = std::size_t{1} << hll_bits;

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The items of a comma-separated list, outside quotes and parentheses: {byte offset, text}.
std::vector<std::pair<std::size_t, std::string_view>> items_of(std::string_view text) {
  std::vector<std::pair<std::size_t, std::string_view>> out;
  std::size_t start = 0;
  int depth = 0;
  bool quoted = false;
  auto push = [&](std::size_t end) {
    std::size_t a = start, b = end;
    while (a < b && blank(text[a])) ++a;
    while (b > a && blank(text[b - 1])) --b;
    out.emplace_back(a, text.substr(a, b - a));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      push(i);
      start = i + 1;
    }
  }
  push(text.size());
  return out;
}

std::optional<aggregate_error> fault(std::string field, std::string_view text, std::size_t byte, std::string message) {
  std::size_t at = detail::utf16_units(text, byte);
  return aggregate_error{std::move(field), query_error{at, message + " at " + std::to_string(at)}};
}

// A field inside `text` at `offset` bytes: its errors moved to count from the whole text.
std::optional<aggregate_error> field_at(std::string field, std::string_view text, std::size_t offset, std::string_view item,
                                        field_ref& out) {
  if (auto problem = parse_field(item, out)) {
    std::size_t at = detail::utf16_units(text, offset) + problem->position;
    std::string message = problem->message.substr(0, problem->message.rfind(" at "));
    return aggregate_error{std::move(field), query_error{at, message + " at " + std::to_string(at)}};
  }
  return std::nullopt;
}

std::optional<double> percentile_named(std::string_view name) {
  if (name.size() < 2 || name[0] != 'p') return std::nullopt;
  std::string digits(name.substr(1));
  if (digits.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double p = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || !(p > 0 && p < 100)) return std::nullopt;
  return p;
}

int sketch_index(double magnitude) { return static_cast<int>(std::ceil(std::log(magnitude) / sketch_log_gamma)); }
double sketch_value(int index) { return 2 * std::pow(sketch_gamma, index) / (sketch_gamma + 1); }

double percentile_of(const aggregator::measure_state& m, double p) {
  double rank = p / 100 * static_cast<double>(m.n - 1);
  double seen = 0;
  double out = m.max;
  bool found = false;
  auto take = [&](double value, std::uint64_t count) {
    if (found) return;
    seen += static_cast<double>(count);
    if (seen > rank) {
      out = value;
      found = true;
    }
  };
  for (auto it = m.negative.rbegin(); it != m.negative.rend(); ++it) take(-sketch_value(it->first), it->second);
  take(0, m.zeros);
  for (const auto& [index, count] : m.positive) take(sketch_value(index), count);
  return std::clamp(out, m.min, m.max);
}

double distinct_of(const aggregator::measure_state& m) {
  if (m.registers.empty()) return 0;
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : m.registers) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += r == 0;
  }
  const double count = static_cast<double>(hll_registers);
  double estimate = 0.7213 / (1 + 1.079 / count) * count * count / sum;
  if (estimate <= 2.5 * count && zeros) estimate = count * std::log(count / static_cast<double>(zeros));
  return std::round(estimate);
}

}  // namespace

std::optional<aggregate_error> parse_aggregate(std::string_view by, std::string_view agg, aggregate_spec& out) {
  out = aggregate_spec{};
  bool by_blank = std::all_of(by.begin(), by.end(), blank);
  if (!by_blank) {
    for (auto [offset, item] : items_of(by)) {
      if (item.empty()) return fault("by", by, offset, "a field is missing");
      if (out.by.size() == max_group_fields)
        return fault("by", by, offset, "at most " + std::to_string(max_group_fields) + " fields to group by");
      field_ref f;
      if (auto e = field_at("by", by, offset, item, f)) return e;
      out.by.push_back(std::move(f));
    }
  }
  bool agg_blank = std::all_of(agg.begin(), agg.end(), blank);
  if (agg_blank) {
    out.measures.push_back({kind::count, {}, 0, "count"});
    return std::nullopt;
  }
  for (auto [offset, item] : items_of(agg)) {
    if (item.empty()) return fault("agg", agg, offset, "a measure is missing");
    if (out.measures.size() == max_measures)
      return fault("agg", agg, offset, "at most " + std::to_string(max_measures) + " measures");
    std::size_t open = item.find('(');
    std::string_view name = item.substr(0, open);
    while (!name.empty() && blank(name.back())) name.remove_suffix(1);
    measure_spec m;
    if (name == "count" && (open == std::string_view::npos || item.substr(open) == "()")) {
      m.name = "count";
      out.measures.push_back(std::move(m));
      continue;
    }
    if (name == "count_distinct" || name == "count_unique") m.what = kind::count_distinct;
    else if (name == "sum") m.what = kind::sum;
    else if (name == "avg") m.what = kind::avg;
    else if (name == "min") m.what = kind::min;
    else if (name == "max") m.what = kind::max;
    else if (auto p = percentile_named(name)) m.what = kind::percentile, m.percentile = *p;
    else
      return fault("agg", agg, offset,
                   "unknown measure \"" + std::string(name) + "\": count, count_distinct, sum, avg, min, max, p50, p95, p99 …");
    if (open == std::string_view::npos || item.back() != ')')
      return fault("agg", agg, offset + item.size(), std::string(name) + " takes a field: " + std::string(name) + "(ctx.duration_ms)");
    std::string_view inner = item.substr(open + 1, item.size() - open - 2);
    std::size_t inner_at = offset + open + 1;
    while (!inner.empty() && blank(inner.front())) inner.remove_prefix(1), ++inner_at;
    while (!inner.empty() && blank(inner.back())) inner.remove_suffix(1);
    if (inner.empty()) return fault("agg", agg, inner_at, std::string(name) + " takes a field");
    if (auto e = field_at("agg", agg, inner_at, inner, m.field)) return e;
    m.name = std::string(name) + "(" + std::string(inner) + ")";
    out.measures.push_back(std::move(m));
  }
  return std::nullopt;
}

void aggregator::add(const stored_event& ev) {
  if (fields_.empty()) {
    fields_ = spec_.by;
    for (const auto& m : spec_.measures) fields_.push_back(m.field);
  }
  read_fields(fields_, ev, values_);
  std::vector<std::optional<std::string>> key(spec_.by.size());
  for (std::size_t i = 0; i < key.size(); ++i)
    if (values_[i]) key[i] = values_[i]->text;
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    if (groups_.size() >= max_groups) {
      ++other_;
      return;
    }
    it = groups_.emplace(std::move(key), group_state{{0, std::vector<measure_state>(spec_.measures.size())}, {}}).first;
  }
  group_state& g = it->second;
  measure(g);
  if (spec_.interval <= 0) return;
  std::int64_t start = ev.ts - (((ev.ts % spec_.interval) + spec_.interval) % spec_.interval);
  auto at = g.series.find(start);
  if (at == g.series.end()) {
    if (cells_ >= max_series_cells) {
      ++uncharted_;
      return;
    }
    ++cells_;
    at = g.series.emplace(start, cell{0, std::vector<measure_state>(spec_.measures.size())}).first;
  }
  measure(at->second);
}

// Counts the event whose values_ were just read into one cell, and measures it there.
void aggregator::measure(cell& into) const {
  ++into.events;
  for (std::size_t k = 0; k < spec_.measures.size(); ++k) {
    const measure_spec& m = spec_.measures[k];
    if (m.what == kind::count) continue;
    const auto& v = values_[spec_.by.size() + k];
    if (!v) continue;
    measure_state& s = into.measures[k];
    if (m.what == kind::count_distinct) {
      if (s.registers.empty()) s.registers.assign(hll_registers, 0);
      std::uint64_t h = token_hash(v->text);
      auto index = static_cast<std::size_t>(h >> (64 - hll_bits));
      std::uint64_t rest = (h << hll_bits) | (std::uint64_t{1} << (hll_bits - 1));
      auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
      s.registers[index] = std::max(s.registers[index], rank);
      ++s.n;
      continue;
    }
    if (!v->number || !std::isfinite(*v->number)) continue;
    double x = *v->number;
    s.min = s.n ? std::min(s.min, x) : x;
    s.max = s.n ? std::max(s.max, x) : x;
    s.sum += x;
    ++s.n;
    if (m.what == kind::percentile) {
      if (x > 0) ++s.positive[sketch_index(x)];
      else if (x < 0) ++s.negative[sketch_index(-x)];
      else ++s.zeros;
    }
  }
}

std::vector<std::optional<double>> aggregator::values_of(const cell& c) const {
  std::vector<std::optional<double>> out;
  out.reserve(spec_.measures.size());
  for (std::size_t k = 0; k < spec_.measures.size(); ++k) {
    const measure_spec& m = spec_.measures[k];
    const measure_state& s = c.measures[k];
    std::optional<double> v;
    switch (m.what) {
      case kind::count: v = static_cast<double>(c.events); break;
      case kind::count_distinct: v = distinct_of(s); break;
      case kind::sum: if (s.n) v = s.sum; break;
      case kind::avg: if (s.n) v = s.sum / static_cast<double>(s.n); break;
      case kind::min: if (s.n) v = s.min; break;
      case kind::max: if (s.n) v = s.max; break;
      case kind::percentile: if (s.n) v = percentile_of(s, m.percentile); break;
    }
    out.push_back(v);
  }
  return out;
}

std::vector<aggregate_row> aggregator::rows(std::size_t limit, std::uint64_t* other) const {
  std::vector<aggregate_row> out;
  out.reserve(groups_.size());
  for (const auto& [key, g] : groups_) out.push_back({key, values_of(g), {}});
  // By the first measure, largest first (none last), then by key.
  std::stable_sort(out.begin(), out.end(), [](const aggregate_row& a, const aggregate_row& b) {
    const auto& x = a.values.front();
    const auto& y = b.values.front();
    if (x.has_value() != y.has_value()) return x.has_value();
    if (x && y && *x != *y) return *x > *y;
    return false;
  });
  if (other) {
    *other = other_;
    for (std::size_t i = limit; i < out.size(); ++i) *other += groups_.at(out[i].key).events;
  }
  if (out.size() > limit) out.resize(limit);
  for (auto& row : out)
    for (const auto& [start, c] : groups_.at(row.key).series) row.series.emplace_back(start, values_of(c));
  return out;
}

namespace {

// The state travels between the reads of a walk as {"v": 2, "b": base64 of the bytes below}:
// as JSON objects, a series of a few hundred cells with percentile sketches was megabytes that
// every read parsed and wrote again.
//   other, uncharted, groups: varint; per group: per `by` field a byte (1 present, 0 none) and
//   its bytes; events; each measure; the series' cell count, then per cell its start (zigzag,
//   from the previous), events and measures.
//   A measure: n, zeros (varint); sum, min, max (f64, little-endian); the positive then negative
//   sketch buckets (count, then per bucket zigzag index from the previous and varint count); the
//   HyperLogLog's nonzero registers (count, then per register varint index from the previous and
//   its byte).
constexpr int state_version = 2;

void put_double(std::string& out, double v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);  // (std::bit_cast: not in the wasm build's libc++)
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

bool take_double(detail::byte_cursor& in, double& v) {
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    std::uint8_t b = 0;
    if (!in.byte(b)) return false;
    bits |= static_cast<std::uint64_t>(b) << (8 * i);
  }
  std::memcpy(&v, &bits, sizeof v);
  return true;
}

void put_buckets(std::string& out, const std::map<int, std::uint64_t>& buckets) {
  detail::put_varint(out, buckets.size());
  std::int64_t previous = 0;
  for (const auto& [index, count] : buckets) {
    detail::put_zigzag(out, index - previous);
    detail::put_varint(out, count);
    previous = index;
  }
}

bool take_buckets(detail::byte_cursor& in, std::map<int, std::uint64_t>& out) {
  std::uint64_t n = 0;
  if (!in.varint(n) || n > in.remaining()) return false;
  std::int64_t index = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    std::int64_t delta = 0;
    std::uint64_t count = 0;
    if (!in.zigzag(delta) || !in.varint(count)) return false;
    index += delta;
    if (index < INT32_MIN || index > INT32_MAX) return false;
    out[static_cast<int>(index)] += count;
  }
  return true;
}

void put_measures(std::string& out, const std::vector<aggregator::measure_state>& states) {
  for (const auto& s : states) {
    detail::put_varint(out, s.n);
    detail::put_varint(out, s.zeros);
    put_double(out, s.sum);
    put_double(out, s.min);
    put_double(out, s.max);
    put_buckets(out, s.positive);
    put_buckets(out, s.negative);
    std::size_t set = 0;
    for (std::uint8_t r : s.registers) set += r != 0;
    detail::put_varint(out, set);
    std::size_t previous = 0;
    for (std::size_t i = 0; i < s.registers.size(); ++i) {
      if (!s.registers[i]) continue;
      detail::put_varint(out, i - previous);
      out.push_back(static_cast<char>(s.registers[i]));
      previous = i;
    }
  }
}

bool take_measures(detail::byte_cursor& in, std::size_t count, std::vector<aggregator::measure_state>& out) {
  out.resize(count);
  for (auto& s : out) {
    std::uint64_t set = 0;
    if (!in.varint(s.n) || !in.varint(s.zeros) || !take_double(in, s.sum) || !take_double(in, s.min) ||
        !take_double(in, s.max) || !take_buckets(in, s.positive) || !take_buckets(in, s.negative) || !in.varint(set) ||
        set > hll_registers)
      return false;
    if (set) s.registers.assign(hll_registers, 0);
    std::size_t index = 0;
    for (std::uint64_t k = 0; k < set; ++k) {
      std::uint64_t delta = 0;
      std::uint8_t value = 0;
      if (!in.varint(delta) || !in.byte(value) || delta >= hll_registers || index + delta >= hll_registers) return false;
      index += static_cast<std::size_t>(delta);
      s.registers[index] = std::min<std::uint8_t>(value, 64);
    }
  }
  return true;
}

}  // namespace

json aggregator::save() const {
  std::string bytes;
  detail::put_varint(bytes, other_);
  detail::put_varint(bytes, uncharted_);
  detail::put_varint(bytes, groups_.size());
  for (const auto& [key, g] : groups_) {
    for (const auto& part : key) {
      bytes.push_back(part ? 1 : 0);
      if (part) detail::put_bytes(bytes, *part);
    }
    detail::put_varint(bytes, g.events);
    put_measures(bytes, g.measures);
    detail::put_varint(bytes, g.series.size());
    std::int64_t previous = 0;
    for (const auto& [start, c] : g.series) {
      detail::put_zigzag(bytes, start - previous);
      previous = start;
      detail::put_varint(bytes, c.events);
      put_measures(bytes, c.measures);
    }
  }
  std::string text;
  detail::base64_encode(bytes, text);
  return {{"v", state_version}, {"b", std::move(text)}};
}

bool aggregator::load(const json& state) {
  groups_.clear();
  other_ = uncharted_ = 0;
  cells_ = 0;
  if (state.is_null()) return true;
  if (!state.is_object() || state.value("v", 0) != state_version || !state.contains("b") || !state["b"].is_string())
    return false;
  std::string bytes;
  if (!detail::base64_decode(state["b"].get_ref<const std::string&>(), bytes)) return false;
  detail::byte_cursor in(bytes);
  std::uint64_t groups = 0;
  if (!in.varint(other_) || !in.varint(uncharted_) || !in.varint(groups) || groups > max_groups) return false;
  const std::size_t count = spec_.measures.size();
  for (std::uint64_t k = 0; k < groups; ++k) {
    std::vector<std::optional<std::string>> key(spec_.by.size());
    for (auto& part : key) {
      std::uint8_t present = 0;
      std::string_view text;
      if (!in.byte(present) || present > 1 || (present && !in.bytes(text))) return false;
      if (present) part = std::string(text);
    }
    group_state gs;
    std::uint64_t cells = 0;
    if (!in.varint(gs.events) || !take_measures(in, count, gs.measures) || !in.varint(cells)) return false;
    if (cells && spec_.interval <= 0) return false;
    std::int64_t start = 0;
    for (std::uint64_t c = 0; c < cells; ++c) {
      std::int64_t delta = 0;
      cell ce;
      if (!in.zigzag(delta) || !in.varint(ce.events) || !take_measures(in, count, ce.measures) ||
          cells_ >= max_series_cells)
        return false;
      start += delta;
      if (!gs.series.emplace(start, std::move(ce)).second) return false;
      ++cells_;
    }
    if (!groups_.emplace(std::move(key), std::move(gs)).second) return false;
  }
  return in.at_end();
}

}  // namespace edgelog
