// Aggregations: the `by` and `agg` syntax, groups with their measures, the percentile sketch and
// the HyperLogLog, and the state that carries them from one read of a walk to the next.
#include "edgelog/read/aggregate.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "detail/case_fold.h"
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

json buckets_json(const std::map<int, std::uint64_t>& b) {
  json out = json::array();
  for (const auto& [index, count] : b) out.push_back({index, count});
  return out;
}

bool buckets_from(const json& j, std::map<int, std::uint64_t>& out) {
  if (!j.is_array()) return false;
  for (const auto& pair : j) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() || !pair[1].is_number_unsigned()) return false;
    out[pair[0].get<int>()] += pair[1].get<std::uint64_t>();
  }
  return true;
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

json measures_json(const std::vector<aggregator::measure_state>& states) {
  json measures = json::array();
  for (const auto& s : states) {
    json m = {{"n", s.n}, {"s", s.sum}, {"lo", s.min}, {"hi", s.max}, {"z", s.zeros}, {"p", buckets_json(s.positive)},
              {"q", buckets_json(s.negative)}};
    if (!s.registers.empty()) {
      json regs = json::array();
      for (std::size_t i = 0; i < s.registers.size(); ++i)
        if (s.registers[i]) regs.push_back({i, s.registers[i]});
      m["r"] = std::move(regs);
    }
    measures.push_back(std::move(m));
  }
  return measures;
}

bool measures_from(const json& j, std::size_t count, std::vector<aggregator::measure_state>& out) {
  if (!j.is_array() || j.size() != count) return false;
  for (const auto& m : j) {
    if (!m.is_object()) return false;
    aggregator::measure_state s;
    s.n = m.value("n", std::uint64_t{0});
    s.sum = m.value("s", 0.0);
    s.min = m.value("lo", 0.0);
    s.max = m.value("hi", 0.0);
    s.zeros = m.value("z", std::uint64_t{0});
    if (!buckets_from(m.value("p", json::array()), s.positive) || !buckets_from(m.value("q", json::array()), s.negative))
      return false;
    if (m.contains("r")) {
      if (!m["r"].is_array()) return false;
      s.registers.assign(hll_registers, 0);
      for (const auto& pair : m["r"]) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() || !pair[1].is_number_unsigned()) return false;
        auto i = pair[0].get<std::size_t>();
        if (i >= hll_registers) return false;
        s.registers[i] = static_cast<std::uint8_t>(std::min<std::uint64_t>(pair[1].get<std::uint64_t>(), 64));
      }
    }
    out.push_back(std::move(s));
  }
  return true;
}

}  // namespace

// {"v": 1, "other", "uncharted", "groups": [[key, events, measures, series?]]}, series being
// [[bucket start, events, measures]].
json aggregator::save() const {
  json groups = json::array();
  for (const auto& [key, g] : groups_) {
    json k = json::array();
    for (const auto& part : key) k.push_back(part ? json(*part) : json(nullptr));
    json row = {std::move(k), g.events, measures_json(g.measures)};
    if (!g.series.empty()) {
      json series = json::array();
      for (const auto& [start, c] : g.series) series.push_back({start, c.events, measures_json(c.measures)});
      row.push_back(std::move(series));
    }
    groups.push_back(std::move(row));
  }
  return {{"v", 1}, {"other", other_}, {"uncharted", uncharted_}, {"groups", std::move(groups)}};
}

bool aggregator::load(const json& state) {
  groups_.clear();
  other_ = uncharted_ = 0;
  cells_ = 0;
  if (state.is_null()) return true;
  if (!state.is_object() || state.value("v", 0) != 1 || !state.contains("groups") || !state["groups"].is_array()) return false;
  other_ = state.value("other", std::uint64_t{0});
  uncharted_ = state.value("uncharted", std::uint64_t{0});
  const std::size_t count = spec_.measures.size();
  for (const auto& g : state["groups"]) {
    if (!g.is_array() || (g.size() != 3 && g.size() != 4) || !g[0].is_array() || g[0].size() != spec_.by.size() ||
        !g[1].is_number_unsigned())
      return false;
    std::vector<std::optional<std::string>> key;
    for (const auto& part : g[0]) {
      if (part.is_null()) key.emplace_back();
      else if (part.is_string()) key.emplace_back(part.get<std::string>());
      else return false;
    }
    group_state gs;
    gs.events = g[1].get<std::uint64_t>();
    if (!measures_from(g[2], count, gs.measures)) return false;
    if (g.size() == 4) {
      if (!g[3].is_array() || spec_.interval <= 0) return false;
      for (const auto& b : g[3]) {
        if (!b.is_array() || b.size() != 3 || !b[0].is_number_integer() || !b[1].is_number_unsigned()) return false;
        cell c{b[1].get<std::uint64_t>(), {}};
        if (!measures_from(b[2], count, c.measures) || cells_ >= max_series_cells) return false;
        if (!gs.series.emplace(b[0].get<std::int64_t>(), std::move(c)).second) return false;
        ++cells_;
      }
    }
    if (groups_.size() >= max_groups) return false;
    if (!groups_.emplace(std::move(key), std::move(gs)).second) return false;
  }
  return true;
}

}  // namespace edgelog
