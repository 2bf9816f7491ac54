// The operations over stored segments, one typed function each: prune (which segments may hold a
// match), rows (the matching events in order), forward (the same as a forwarding body),
// histogram, facets and the rules preview. The shim fetches rows from D1 and hands them over; the
// core decides everything about their contents.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/error.h"
#include "edgelog/integrations/forward.h"
#include "edgelog/read/aggregate.h"
#include "edgelog/read/query.h"
#include "edgelog/read/rules_preview.h"
#include "edgelog/store/segment.h"

namespace edgelog {

/// A stored segment handed to a read: its D1 row's identity and its bytes (base64 text).
struct segment_input {
  std::int64_t id = 0;
  std::string project;            ///< the project's slug, shown on each event
  std::int64_t received_at = 0;
  std::string_view text;          ///< the segment's base64 text
  /// The project's retention now: events older than their level's keep (from `now`) are hidden
  /// until the purge takes their segment. 0: nothing hidden.
  std::uint32_t retention_hours = 0;
  std::array<std::uint32_t, 6> retention_by_level{};  ///< overrides; 0 where none
  std::vector<std::int64_t> event_ids;  ///< the events' own ids (old rows); else id × 4096 + index
  /// The project's in-app rules, shared by its segments: the frames of events written out follow them.
  std::shared_ptr<const std::vector<rule>> in_app_rules;
};

/// What every read over segments shares: the filter, the time range, the segments.
struct scan_request {
  filter_spec filter;
  std::int64_t from = INT64_MIN, to = INT64_MAX;  ///< [from, to) of event time
  std::optional<std::int64_t> now;                ///< with it, retention hides expired events
  std::vector<segment_input> segments;
};

/// A segment that could not be read, and why (it is skipped, never fatal).
struct damaged_segment {
  std::int64_t segment = 0;
  errc code = errc::ok;
};

/// What a read looked at: events scanned and matched, segments that could not be read.
struct scan_tally {
  std::size_t scanned = 0, matched = 0;
  std::size_t columns = 0;  ///< columns of version-2 segments decoded: what the read touched
  std::vector<damaged_segment> damaged;
};

/// Version-1 segments to rewrite as version 2 (maintenance, in bounded chunks).
struct recode_request : scan_request {};
struct recode_result {
  std::vector<std::pair<std::int64_t, std::string>> segments;  ///< id and base64 of each rewritten one
  std::size_t current = 0;  ///< segments given that were version 2 already
  scan_tally tally;         ///< damaged: segments that do not open (left as they are)
};
recode_result recode_segments(const recode_request& request);

/// An event's place in the newest-first order: its time, then its id.
struct event_key {
  std::int64_t ts = 0, id = 0;
  bool operator<(const event_key& o) const noexcept { return ts < o.ts || (ts == o.ts && id < o.id); }
  bool operator==(const event_key&) const noexcept = default;
};

/// The segments a read opened, kept so the rows it answers can point into them.
struct opened_segments {
  std::deque<segment_reader> readers;
  std::deque<opened_segment> segments;
};

// ---- prune ------------------------------------------------------------------------------------

/// A segment's header as pruning sees it: the levels present and its filters (base64; empty when
/// the shim did not fetch one: that filter then prunes nothing).
struct prune_segment {
  std::int64_t id = 0;
  std::uint8_t levels = 0x3f;
  std::string_view fields, words, ranges;
};

struct prune_request {
  filter_spec filter;
  /// Query bar text to read into the filter instead (read_query_bar): the dashboard asks how the
  /// core reads what an operator typed.
  std::optional<std::string> text;
  std::vector<prune_segment> segments;
};

struct prune_result {
  std::optional<query_problem> problem;  ///< the filter is refused: nothing else is set
  std::optional<filter_spec> reading;    ///< the filter read from `text`, when given
  std::vector<std::int64_t> candidates;  ///< the segments that may hold a match, in request order
  std::vector<std::string> terms;        ///< the words the search looks for, to highlight
  bool narrows = false;  ///< the filter looks at more than levels (rollups cannot answer it)
  std::vector<std::string_view> levels;  ///< the names of the levels it wants (all six when it names none)
  /// The segment filters that can prune for it ("fields", "words", "ranges"): what the shim fetches.
  std::vector<std::string_view> filters;
  /// The highest event id the segments handed over can hold, pruned or not: a tail or forwarder
  /// cursor that has looked at them all moves here. -1 without segments.
  std::int64_t covered_id = -1;
};

/// Checks the filter and keeps the segments that may hold a match (levels, field values and words
/// in their filters). A filter that does not decode prunes nothing.
prune_result prune(const prune_request& request);

// ---- rows -------------------------------------------------------------------------------------

enum class read_order : std::uint8_t {
  newest,   ///< by (ts, id) descending
  oldest,   ///< by (ts, id) ascending
  arrival,  ///< by id ascending: the order events were stored in
};

struct rows_request : scan_request {
  std::size_t limit = 100;
  read_order order = read_order::newest;
  std::optional<event_key> before;  ///< newest: only events older than this key
  std::optional<event_key> after;   ///< oldest: only events newer than this key
  std::int64_t after_id = -1;       ///< arrival: only events stored after this id
  std::vector<std::int64_t> ids;    ///< only these events (empty: any)
};

/// One matching event: where it is stored and its id.
struct row {
  const stored_event* event = nullptr;
  const segment_input* segment = nullptr;
  event_key key;
};

struct rows_result {
  std::optional<query_problem> problem;
  std::vector<row> rows;  ///< the best `limit` matches, in the requested order
  scan_tally tally;
  /// The highest event id the given segments can hold: a tail or forwarder cursor that has seen
  /// them all moves here. -1 without segments.
  std::int64_t covered_id = -1;
  opened_segments open;  ///< what `rows` point into
};

/// The matching events of the segments, in order, at most `limit`.
rows_result read_rows(const rows_request& request);

// ---- forward ----------------------------------------------------------------------------------

struct forward_request : rows_request {
  forward_options options;
};

struct forward_result {
  std::optional<query_problem> problem;
  std::string body;         ///< the forwarding body (integrations/forward.h)
  std::size_t count = 0;    ///< events in it
  std::int64_t last_id = -1;  ///< the id of its last event
  bool more = false;        ///< matching events were left for the next batch (limit or size)
  std::int64_t covered_id = -1;
  scan_tally tally;
};

/// The matching events in arrival order as the body a forwarder sends.
forward_result read_forward(const forward_request& request);

// ---- histogram and facets ---------------------------------------------------------------------

struct histogram_request : scan_request {
  std::int64_t bucket = 60'000;     ///< width in ms (> 0)
  std::optional<std::int64_t> origin;  ///< buckets count from here (at or before `from`), else from `from`
};

struct histogram_count {
  std::int64_t bucket = 0;  ///< its index from the origin
  level severity = level::info;
  std::int64_t events = 0;
};

struct histogram_result {
  std::optional<query_problem> problem;
  std::vector<histogram_count> counts;  ///< by bucket, then level; only non-zero
  scan_tally tally;
};

/// Counts per time bucket and level of the matching events. errc::invalid_context when the
/// bucket is not positive or the origin is after `from`.
errc count_histogram(const histogram_request& request, histogram_result& out);

/// Keys below ctx and tags a facets read tracks, and values it keeps per key: a key seen with more
/// values (an id) answers none.
inline constexpr std::size_t max_facet_keys = 200;
inline constexpr std::size_t max_key_values = 50;

struct facets_request : scan_request {
  /// Stored field names; "tags" for each tag key ("tag:<key>"); "keys" for every key below ctx
  /// and tags (field "keys", the key's path as the value, events holding it as the count) and the
  /// values of each (field: the path, as `ctx.user.plan`).
  std::vector<std::string> fields;
  std::size_t top = 5;              ///< values kept per field
};

struct facet_count {
  std::string field, value;
  std::int64_t events = 0;
};

struct facets_result {
  std::optional<query_problem> problem;
  std::vector<facet_count> facets;  ///< per field (by name), most events first
  scan_tally tally;
};

/// The most common values of fields among the matching events.
facets_result count_facets(const facets_request& request);

// ---- aggregations -----------------------------------------------------------------------------

struct aggregate_request : scan_request {
  std::string by, agg;    ///< as docs/query.md writes them
  nlohmann::json state;   ///< the previous read's, to go on from; null to start
  std::size_t limit = 20;  ///< groups answered
  std::int64_t interval = 0;  ///< ms; > 0: each group answered per bucket of ts too (a series)
};

struct aggregate_result {
  std::optional<query_problem> problem;
  std::vector<std::string> by, measures;  ///< the columns: group fields as written, measure names
  std::vector<aggregate_row> rows;        ///< the groups so far, by the first measure
  nlohmann::json state;                   ///< for the next read of the walk
  std::size_t groups = 0;                 ///< groups so far (rows holds at most `limit`)
  std::uint64_t other = 0;                ///< events of the groups not answered (past `limit` or max_groups)
  std::int64_t interval = 0;              ///< as asked
  std::uint64_t uncharted = 0;            ///< events in no bucket of a series (max_series_cells)
  scan_tally tally;
};

/// Groups the matching events and measures each group, going on from `state`. An interval that
/// is negative, or cuts [from, min(to, now)) into more than max_buckets, is a problem of field
/// `interval`.
aggregate_result aggregate_events(const aggregate_request& request);

// ---- rules preview ----------------------------------------------------------------------------

struct rules_preview_request : scan_request {
  std::size_t limit = 1000;  ///< the newest events previewed
  std::string current_fingerprint_rules, fingerprint_rules, page_rules;
  std::string current_in_app_rules, in_app_rules;
};

struct rules_preview_result {
  std::optional<query_problem> problem;
  rules_preview preview;
  scan_tally tally;
};

/// What proposed fingerprint and page rules would do to the newest matching events.
rules_preview_result preview_rules_over(const rules_preview_request& request);

}  // namespace edgelog
