// Aggregations over matching events: group by up to three fields (built-in, level, or any path
// into ctx and tags) and measure each group — count, count_distinct, sum, avg, min, max and
// percentiles — with state that carries across the reads of one walk, so the shim only moves it.
// docs/query.md has the syntax.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgelog/read/grammar.h"

namespace edgelog {

/// What one measure computes.
struct measure_spec {
  enum class kind : std::uint8_t { count, count_distinct, sum, avg, min, max, percentile };
  kind what = kind::count;
  field_ref field;       ///< all but count
  double percentile = 0;  ///< percentile: 0 < p < 100
  std::string name;      ///< as written, normalized (`p95(ctx.duration_ms)`)
};

/// A parsed aggregation: its groups' fields and its measures.
struct aggregate_spec {
  std::vector<field_ref> by;
  std::vector<measure_spec> measures;
  std::int64_t interval = 0;  ///< ms; when > 0 each group is also measured per bucket of ts
};

/// Limits of an aggregation.
inline constexpr std::size_t max_group_fields = 3;
inline constexpr std::size_t max_measures = 8;
inline constexpr std::size_t max_groups = 1000;  ///< groups kept; events of more count as `other`
inline constexpr std::size_t max_buckets = 500;   ///< time buckets an interval may cut a range into
inline constexpr std::size_t max_series_cells = 20'000;  ///< (group, bucket) cells kept in all

/// What is wrong with `by` or `agg`, and where in that text.
struct aggregate_error {
  std::string field;  ///< "by" or "agg"
  query_error error;
};

/// Parses `by` (fields separated by commas; may be empty: one group) and `agg` (measures
/// separated by commas; empty: count).
std::optional<aggregate_error> parse_aggregate(std::string_view by, std::string_view agg, aggregate_spec& out);

/// One group as answered: its key (one text per `by` field; null where the event has none) and
/// each measure's value (null where nothing was measured).
struct aggregate_row {
  std::vector<std::optional<std::string>> key;
  std::vector<std::optional<double>> values;
  /// With an interval: each bucket's start (epoch ms) and its measures, buckets without events
  /// left out.
  std::vector<std::pair<std::int64_t, std::vector<std::optional<double>>>> series;
};

/// Counts and measures groups of events; its state travels as JSON between the reads of a walk.
class aggregator {
 public:
  explicit aggregator(const aggregate_spec& spec) : spec_(spec) {}

  /// Resumes from a state `save()` wrote (for the same spec); false when it is not one.
  bool load(const nlohmann::json& state);
  nlohmann::json save() const;

  void add(const stored_event& ev);

  /// The groups, by the first measure (then by key), at most `limit`; `other` (when given) gets
  /// the events of the groups left out and of those past max_groups.
  std::vector<aggregate_row> rows(std::size_t limit, std::uint64_t* other = nullptr) const;
  std::size_t groups() const noexcept { return groups_.size(); }
  /// Events not counted in any group because `max_groups` were full.
  std::uint64_t past_max_groups() const noexcept { return other_; }
  /// Events counted in their group but in no bucket because `max_series_cells` were full.
  std::uint64_t past_max_cells() const noexcept { return uncharted_; }

  struct measure_state;
  struct cell {
    std::uint64_t events = 0;
    std::vector<measure_state> measures;
  };
  struct group_state : cell {
    std::map<std::int64_t, cell> series;  ///< by bucket start, with an interval
  };

 private:
  const aggregate_spec& spec_;
  void measure(cell& into) const;
  std::vector<std::optional<double>> values_of(const cell& c) const;

  std::map<std::vector<std::optional<std::string>>, group_state> groups_;
  std::uint64_t other_ = 0, uncharted_ = 0;
  std::size_t cells_ = 0;
  std::vector<field_ref> fields_;  // by, then each measure's field
  std::vector<std::optional<field_value>> values_;
};

/// What a measure keeps: numbers seen (n, sum, min, max), a sketch of their distribution for
/// percentiles (logarithmic buckets, 1 % relative error) and a HyperLogLog for distinct values.
struct aggregator::measure_state {
  std::uint64_t n = 0;
  double sum = 0, min = 0, max = 0;
  std::map<int, std::uint64_t> positive, negative;  // sketch buckets
  std::uint64_t zeros = 0;
  std::vector<std::uint8_t> registers;  // HyperLogLog, 2^12 registers, when distinct
};

}  // namespace edgelog
