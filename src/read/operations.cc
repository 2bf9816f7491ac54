// The operations over segments: open each, match its events against the compiled filter, and
// keep what the operation asks for.
#include "edgelog/read/operations.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "detail/base64.h"
#include "edgelog/read/keys.h"
#include "edgelog/vocabulary.h"

namespace edgelog {

namespace {

constexpr std::int64_t hour_ms = 3'600'000;

// Per level, the oldest event time the project's retention keeps now.
std::array<std::int64_t, 6> keep_from(const segment_input& s, std::optional<std::int64_t> now) {
  std::array<std::int64_t, 6> out;
  out.fill(INT64_MIN);
  if (!now || s.retention_hours == 0) return out;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::int64_t hours = s.retention_by_level[i] ? s.retention_by_level[i] : s.retention_hours;
    out[i] = *now - hours * hour_ms;
  }
  return out;
}

std::int64_t event_id(const segment_input& s, std::size_t i) {
  return i < s.event_ids.size() ? s.event_ids[i]
                                : s.id * static_cast<std::int64_t>(segment_max_events) + static_cast<std::int64_t>(i);
}

// Opens each segment in turn and calls fn(segment, event, id) for each event in [from, to) that
// matches; stops early when fn answers false. A segment is opened with the parts the filter
// reads and the parts fn reads (`on_match`); when fn reads whole events, only with the filter's,
// and again whole at its first match. `keep` keeps every segment open (rows point into them);
// otherwise one reader is reused.
template <typename Fn>
void each_match(const scan_request& req, const read_filter& f, scan_tally& tally, opened_segments& open, bool keep,
                const segment_parts& on_match, Fn&& fn) {
  segment_parts scan = parts_of(f);
  bool whole = on_match.fields == segment_parts{}.fields && on_match.extra;
  if (!whole) {
    scan.fields |= on_match.fields;
    scan.extra = scan.extra || on_match.extra;
    for (const auto& path : on_match.extra_paths)
      if (std::find(scan.extra_paths.begin(), scan.extra_paths.end(), path) == scan.extra_paths.end())
        scan.extra_paths.push_back(path);
  }
  std::string bytes;
  for (const auto& seg : req.segments) {
    if (!keep && !open.readers.empty()) {
      open.readers.pop_front();
      open.segments.pop_front();
    }
    auto& reader = open.readers.emplace_back();
    auto& opened = open.segments.emplace_back();
    errc e = detail::base64_decode(seg.text, bytes) ? reader.open(bytes, opened, scan) : errc::corrupt_segment;
    tally.columns += reader.columns_decoded();
    if (e != errc::ok) {
      tally.damaged.push_back({seg.id, e});
      continue;
    }
    bool complete = !whole || reader.version() == 1;
    auto keep_after = keep_from(seg, req.now);
    for (std::size_t i = 0; i < opened.rows.size(); ++i) {
      ++tally.scanned;
      const stored_event& ev = opened.rows[i];
      if (ev.ts < req.from || ev.ts >= req.to || ev.ts < keep_after[static_cast<std::size_t>(ev.severity)] ||
          !matches(f, ev))
        continue;
      ++tally.matched;
      if (!complete) {  // the parts left, now that a match needs them (the rows stay in place)
        complete = true;
        e = reader.open(bytes, opened);
        tally.columns += reader.columns_decoded();
        if (e != errc::ok) {
          tally.damaged.push_back({seg.id, e});
          break;
        }
      }
      if (!fn(seg, opened.rows[i], event_id(seg, i))) return;
    }
  }
}

std::int64_t covered_id(const std::vector<segment_input>& segments) {
  std::int64_t out = -1;
  for (const auto& s : segments)
    out = std::max(out, (s.id + 1) * static_cast<std::int64_t>(segment_max_events) - 1);
  return out;
}

// The matches a rows or forward request keeps, best first, at most `limit` of them sorted.
struct hits {
  std::vector<row> rows;
  std::size_t matching = 0;  // matches passing the cursor, before the limit
};

hits collect_rows(const rows_request& req, const read_filter& f, scan_tally& tally, opened_segments& open) {
  hits out;
  bool ascending = req.order == read_order::oldest, arrival = req.order == read_order::arrival;
  each_match(req, f, tally, open, true, segment_parts{}, [&](const segment_input& seg, const stored_event& ev, std::int64_t id) {
    event_key k{ev.ts, id};
    if ((req.before && !(k < *req.before)) || (req.after && !(*req.after < k)) || id <= req.after_id ||
        (!req.ids.empty() && std::find(req.ids.begin(), req.ids.end(), id) == req.ids.end())) {
      --tally.matched;
      return true;
    }
    out.rows.push_back({&ev, &seg, k});
    return true;
  });
  auto better = [&](const row& a, const row& b) {
    if (arrival) return a.key.id < b.key.id;
    return ascending ? a.key < b.key : b.key < a.key;
  };
  out.matching = out.rows.size();
  std::size_t keep = std::min(req.limit, out.rows.size());
  std::partial_sort(out.rows.begin(), out.rows.begin() + static_cast<std::ptrdiff_t>(keep), out.rows.end(), better);
  out.rows.resize(keep);
  return out;
}

}  // namespace

prune_result prune(const prune_request& request) {
  prune_result out;
  if (request.text) out.reading = read_query_bar(*request.text);
  read_filter f;
  if ((out.problem = compile_filter(out.reading ? *out.reading : request.filter, f))) return out;
  out.terms = highlight_terms(f);
  out.narrows = f.narrows();
  std::uint8_t levels = f.levels & levels_of(f.expr);
  for (level l : all_levels())
    if (levels & (1u << static_cast<unsigned>(l))) out.levels.push_back(level_name(l));
  query_prunes prunes = prunes_with(f.expr);
  if (!f.equals.empty() || prunes.fields) out.filters.push_back("fields");
  if (prunes.words) out.filters.push_back("words");
  if (prunes.ranges) out.filters.push_back("ranges");
  std::string bytes;
  for (const auto& s : request.segments) {
    token_filter fields, words;
    numeric_ranges ranges;
    bool ok = (s.fields.empty() || (detail::base64_decode(s.fields, bytes) && token_filter::parse(bytes, fields))) &&
              (s.words.empty() || (detail::base64_decode(s.words, bytes) && token_filter::parse(bytes, words))) &&
              (s.ranges.empty() || (detail::base64_decode(s.ranges, bytes) && numeric_ranges::parse(bytes, ranges)));
    // A filter that does not decode prunes nothing: the segment itself is checked when opened.
    if (ok && !may_match(f, s.levels, fields, words, ranges)) continue;
    out.candidates.push_back(s.id);
  }
  for (const auto& s : request.segments)
    out.covered_id = std::max(out.covered_id, (s.id + 1) * static_cast<std::int64_t>(segment_max_events) - 1);
  return out;
}

rows_result read_rows(const rows_request& request) {
  rows_result out;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return out;
  out.rows = collect_rows(request, f, out.tally, out.open).rows;
  out.covered_id = covered_id(request.segments);
  return out;
}

forward_result read_forward(const forward_request& request) {
  forward_result out;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return out;
  opened_segments open;
  hits h = collect_rows(request, f, out.tally, open);
  std::vector<forward_item> items;
  items.reserve(h.rows.size());
  for (const auto& r : h.rows)
    items.push_back({r.event, r.key.id, r.segment->project, r.segment->received_at, r.segment->in_app_rules.get()});
  out.count = write_forward_body(request.options, items, out.body);
  out.last_id = out.count ? items[out.count - 1].id : -1;
  out.more = out.count < h.matching;
  out.covered_id = covered_id(request.segments);
  return out;
}

errc count_histogram(const histogram_request& request, histogram_result& out) {
  out = {};
  if (request.bucket <= 0) return errc::invalid_context;
  std::int64_t origin = request.origin.value_or(request.from);
  if (origin > request.from) return errc::invalid_context;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return errc::ok;
  std::map<std::pair<std::int64_t, int>, std::int64_t> counts;
  opened_segments open;
  each_match(request, f, out.tally, open, false, segment_parts::none(), [&](const segment_input&, const stored_event& ev, std::int64_t) {
    counts[{(ev.ts - origin) / request.bucket, static_cast<int>(ev.severity)}]++;
    return true;
  });
  for (const auto& [k, n] : counts) out.counts.push_back({k.first, static_cast<level>(k.second), n});
  return errc::ok;
}

facets_result count_facets(const facets_request& request) {
  facets_result out;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return out;
  std::vector<std::pair<std::string, stored_field>> wanted;
  bool want_tags = false, want_keys = false;
  for (const auto& n : request.fields) {
    if (n == "tags") {
      want_tags = true;
      continue;
    }
    if (n == "keys") {
      want_keys = true;
      continue;
    }
    for (std::size_t i = 0; i < stored_field_count; ++i)
      if (stored_field_name(static_cast<stored_field>(i)) == n) wanted.emplace_back(n, static_cast<stored_field>(i));
  }
  std::map<std::string, std::map<std::string, std::int64_t>> counts;
  std::map<std::string, std::int64_t>& keys = counts["keys"];
  std::set<std::string> crowded;  // keys of more than max_key_values values: no values answered
  segment_parts reads = segment_parts::none();
  for (const auto& w : wanted) reads.fields |= 1u << static_cast<unsigned>(w.second);
  reads.extra = want_keys || want_tags;
  opened_segments open;
  each_match(request, f, out.tally, open, false, reads, [&](const segment_input&, const stored_event& ev, std::int64_t) {
    for (const auto& [name, field] : wanted)
      if (auto v = ev[field]; !v.empty()) counts[name][std::string(v)]++;
    if (want_keys)
      for_each_key(ev, [&](std::string_view path, std::optional<std::string_view> value) {
        std::string name(path);
        auto it = keys.find(name);
        if (it == keys.end()) {
          if (keys.size() >= max_facet_keys) return;
          it = keys.emplace(name, 0).first;
        }
        ++it->second;
        if (!value || crowded.contains(name)) return;
        auto& values = counts[name];
        if (auto v = values.find(std::string(*value)); v != values.end()) ++v->second;
        else if (values.size() < max_key_values) values.emplace(*value, 1);
        else crowded.insert(name), counts.erase(name);
      });
    if (want_tags && ev.extra.find("\"tags\":") != std::string_view::npos) {
      std::string text(1, '{');
      text.append(ev.extra);
      text.push_back('}');
      auto doc = nlohmann::json::parse(text, nullptr, false);
      if (doc.is_object() && doc.contains("tags") && doc["tags"].is_object())
        for (const auto& [k, v] : doc["tags"].items())
          counts["tag:" + k][v.is_string() ? v.get<std::string>() : v.dump()]++;
    }
    return true;
  });
  for (const auto& [name, values] : counts) {
    std::vector<std::pair<std::string, std::int64_t>> sorted(values.begin(), values.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::size_t top = name == "keys" ? max_facet_keys : request.top;
    if (sorted.size() > top) sorted.resize(top);
    for (auto& [value, n] : sorted) out.facets.push_back({name, std::move(value), n});
  }
  return out;
}

aggregate_result aggregate_events(const aggregate_request& request) {
  aggregate_result out;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return out;
  aggregate_spec spec;
  if (auto e = parse_aggregate(request.by, request.agg, spec)) {
    out.problem = query_problem{e->field, e->error.message, e->error.position};
    return out;
  }
  // Buckets count up to `now` when given: a range's end may lie ahead for late clocks.
  std::int64_t end = request.now && *request.now < request.to ? *request.now : request.to;
  if (request.interval < 0 ||
      (request.interval > 0 && request.from != INT64_MIN && end != INT64_MAX && end > request.from &&
       static_cast<std::uint64_t>(end - request.from) / static_cast<std::uint64_t>(request.interval) >= max_buckets)) {
    out.problem = query_problem{"interval", "interval cuts the time range into more than " + std::to_string(max_buckets) +
                                                " buckets: take a wider one or a shorter range", std::nullopt};
    return out;
  }
  spec.interval = request.interval;
  out.interval = request.interval;
  for (const auto& b : spec.by) out.by.push_back(b.written);
  for (const auto& m : spec.measures) out.measures.push_back(m.name);
  aggregator groups(spec);
  if (!groups.load(request.state)) {
    out.problem = query_problem{"state", "state is not one this aggregation wrote"};
    return out;
  }
  segment_parts reads = segment_parts::none();
  for (const auto& b : spec.by) add_parts(b, reads);
  for (const auto& m : spec.measures)
    if (m.what != measure_spec::kind::count) add_parts(m.field, reads);  // count reads no field
  opened_segments open;
  each_match(request, f, out.tally, open, false, reads, [&](const segment_input&, const stored_event& ev, std::int64_t) {
    groups.add(ev);
    return true;
  });
  out.rows = groups.rows(request.limit, &out.other);
  out.groups = groups.groups();
  out.uncharted = groups.past_max_cells();
  out.state = groups.save();
  return out;
}

recode_result recode_segments(const recode_request& request) {
  recode_result out;
  std::string bytes, recoded;
  for (const auto& seg : request.segments) {
    errc e = detail::base64_decode(seg.text, bytes) ? recode_segment(bytes, recoded) : errc::corrupt_segment;
    if (e != errc::ok) {
      out.tally.damaged.push_back({seg.id, e});
      continue;
    }
    if (recoded.empty()) {
      ++out.current;
      continue;
    }
    auto& [id, text] = out.segments.emplace_back(seg.id, std::string());
    detail::base64_encode(recoded, text);
  }
  return out;
}

rules_preview_result preview_rules_over(const rules_preview_request& request) {
  rules_preview_result out;
  read_filter f;
  if ((out.problem = compile_filter(request.filter, f))) return out;
  std::vector<const stored_event*> events;
  opened_segments open;
  each_match(request, f, out.tally, open, true, segment_parts{}, [&](const segment_input&, const stored_event& ev, std::int64_t) {
    events.push_back(&ev);
    return true;
  });
  auto newest = [](const stored_event* a, const stored_event* b) { return a->ts > b->ts; };
  if (events.size() > request.limit) {
    std::nth_element(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(request.limit), events.end(), newest);
    events.resize(request.limit);
  }
  out.preview = preview_rules(events, {.fingerprint = request.current_fingerprint_rules, .page = {}, .in_app = request.current_in_app_rules},
                              {.fingerprint = request.fingerprint_rules, .page = request.page_rules, .in_app = request.in_app_rules});
  return out;
}

}  // namespace edgelog
