// The read modes over segments (prune, rows, histogram, facets, rules): JSON request in, JSON answer out.
#include "edgelog/read/operations.h"

#include <algorithm>
#include <array>
#include <climits>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "detail/base64.h"
#include "detail/json_writer.h"
#include "edgelog/insights/baseline.h"
#include "edgelog/integrations/forward.h"
#include "edgelog/read/query.h"
#include "edgelog/read/rules_preview.h"
#include "edgelog/insights/suggest.h"
#include "edgelog/insights/suspect.h"
#include "edgelog/insights/trending.h"

namespace edgelog {

namespace {

using nlohmann::json;

struct key {
  std::int64_t ts, id;
  bool operator<(const key& o) const noexcept { return ts < o.ts || (ts == o.ts && id < o.id); }
};

struct segment_ref {
  std::int64_t id = 0;
  std::string project;
  std::int64_t received_at = 0;
  std::string_view text;  // base64
  std::array<std::int64_t, 6> keep_from{INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
  std::vector<std::int64_t> event_ids;  // the events' ids when they are not id × 4096 + index
};

// Per level, the oldest event time the project's retention keeps now: events past it are hidden
// until the purge takes their segment ("retention_hours" and "retention_overrides" of the
// segment's project, as its settings say now).
void read_retention(const json& s, std::int64_t now, segment_ref& r) {
  if (!s.contains("retention_hours")) return;
  std::array<std::int64_t, 6> hours;
  hours.fill(s.at("retention_hours").get<std::int64_t>());
  if (auto it = s.find("retention_overrides"); it != s.end() && it->is_string()) {
    auto overrides = json::parse(it->get<std::string>(), nullptr, false);
    if (overrides.is_object())
      for (const auto& [name, h] : overrides.items())
        if (auto l = parse_level(name); l && h.is_number_integer()) hours[static_cast<std::size_t>(*l)] = h.get<std::int64_t>();
  }
  for (std::size_t i = 0; i < hours.size(); ++i) r.keep_from[i] = now - hours[i] * 3'600'000;
}

bool read_filter_json(const json& j, read_filter& f, std::string& problem) {
  if (!j.is_object()) return true;
  if (auto it = j.find("levels"); it != j.end() && it->is_array()) {
    f.levels = 0;
    for (const auto& l : *it) {
      auto parsed = parse_level(l.get<std::string>());
      if (parsed) f.levels = static_cast<std::uint8_t>(f.levels | (1u << static_cast<unsigned>(*parsed)));
    }
  }
  for (stored_field field : equality_fields) {
    auto it = j.find(std::string(stored_field_name(field)));
    if (it != j.end() && it->is_string()) f.equals.emplace_back(field, it->get<std::string>());
  }
  if (auto nots = j.find("not"); nots != j.end() && nots->is_object())
    for (stored_field field : equality_fields)
      if (auto it = nots->find(std::string(stored_field_name(field))); it != nots->end() && it->is_array())
        for (const auto& v : *it)
          if (v.is_string()) f.not_equals.emplace_back(field, v.get<std::string>());
  if (auto globs = j.find("globs"); globs != j.end() && globs->is_object())
    for (stored_field field : equality_fields)
      if (auto it = globs->find(std::string(stored_field_name(field))); it != globs->end() && it->is_string())
        f.globs.emplace_back(field, it->get<std::string>());
  if (auto it = j.find("q"); it != j.end() && it->is_string()) problem = parse_text_query(it->get<std::string>(), f);
  return true;
}

std::vector<segment_ref> segments_of(const json& req, std::string_view body) {
  std::vector<segment_ref> out;
  std::size_t offset = 0;
  auto now = req.find("now");
  for (const auto& s : req.at("segments")) {
    segment_ref r;
    if (now != req.end()) read_retention(s, now->get<std::int64_t>(), r);
    r.id = s.at("id").get<std::int64_t>();
    r.project = s.value("project", std::string{});
    r.received_at = s.value("received_at", std::int64_t{0});
    if (auto ids = s.find("event_ids"); ids != s.end()) r.event_ids = ids->get<std::vector<std::int64_t>>();
    auto size = s.at("size").get<std::size_t>();
    if (offset + size > body.size()) throw std::out_of_range("segment sizes exceed the body");
    r.text = body.substr(offset, size);
    offset += size;
    out.push_back(std::move(r));
  }
  return out;
}

void write_damaged(detail::json_writer& w, const std::vector<std::pair<std::int64_t, errc>>& damaged);
void write_forward(const json& spec, std::span<const forward_item> items, std::size_t matching, detail::json_writer& w,
                   std::size_t scanned, std::size_t matched, const std::vector<std::pair<std::int64_t, errc>>& damaged);

// The end every counting answer shares: ,"scanned","matched","damaged"}.
void write_tally(detail::json_writer& w, std::size_t scanned, std::size_t matched,
                 const std::vector<std::pair<std::int64_t, errc>>& damaged) {
  w.raw(",\"scanned\":");
  w.integer(static_cast<std::int64_t>(scanned));
  w.raw(",\"matched\":");
  w.integer(static_cast<std::int64_t>(matched));
  write_damaged(w, damaged);
  w.ch('}');
}

void write_damaged(detail::json_writer& w, const std::vector<std::pair<std::int64_t, errc>>& damaged) {
  w.raw(",\"damaged\":[");
  for (std::size_t i = 0; i < damaged.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"segment\":");
    w.integer(damaged[i].first);
    w.raw(",\"code\":");
    w.string(error_code(damaged[i].second));
    w.ch('}');
  }
  w.ch(']');
}

// The segments of one read, opened and kept open so matches can be written at the end.
struct opened_set {
  bool keep = false;
  std::deque<segment_reader> readers;
  std::deque<opened_segment> segments;
};

// Opens each segment in turn and calls fn(ref, event, id) for each event in [from, to) that
// matches; stops early when fn answers false. Counts what it looked at.
template <typename Fn>
void each_match(const std::vector<segment_ref>& segs, const read_filter& f, std::int64_t from, std::int64_t to,
                std::size_t& scanned, std::size_t& matched, std::vector<std::pair<std::int64_t, errc>>& damaged,
                opened_set& open, Fn&& fn) {
  std::string bytes;
  for (const auto& ref : segs) {
    // Rows are written once all segments are seen, so rows mode keeps them open; the counting
    // modes reuse one reader.
    if (!open.keep && !open.readers.empty()) {
      open.readers.pop_front();
      open.segments.pop_front();
    }
    auto& reader = open.readers.emplace_back();
    auto& seg = open.segments.emplace_back();
    errc e = detail::base64_decode(ref.text, bytes) ? reader.open(bytes, seg) : errc::corrupt_segment;
    if (e != errc::ok) {
      damaged.emplace_back(ref.id, e);
      continue;
    }
    for (std::size_t i = 0; i < seg.rows.size(); ++i) {
      const stored_event& ev = seg.rows[i];
      ++scanned;
      if (ev.ts < from || ev.ts >= to || ev.ts < ref.keep_from[static_cast<std::size_t>(ev.severity)] ||
          !matches(f, ev))
        continue;
      ++matched;
      std::int64_t id = i < ref.event_ids.size() ? ref.event_ids[i]
                                                 : ref.id * static_cast<std::int64_t>(segment_max_events) + static_cast<std::int64_t>(i);
      if (!fn(ref, ev, id)) return;
    }
  }
}

void run_prune(const json& req, std::string_view body, const read_filter& f, detail::json_writer& w) {
  w.raw("{\"candidates\":[");
  std::size_t offset = 0;
  bool first = true;
  std::string bytes;
  for (const auto& s : req.at("segments")) {
    auto fields_size = s.at("fields").get<std::size_t>();
    auto words_size = s.at("words").get<std::size_t>();
    if (offset + fields_size + words_size > body.size()) throw std::out_of_range("filter sizes exceed the body");
    // An empty filter text (the shim did not fetch it) accepts everything.
    token_filter fields, words;
    bool ok = (fields_size == 0 || (detail::base64_decode(body.substr(offset, fields_size), bytes) &&
                                    token_filter::parse(bytes, fields))) &&
              (words_size == 0 || (detail::base64_decode(body.substr(offset + fields_size, words_size), bytes) &&
                                   token_filter::parse(bytes, words)));
    offset += fields_size + words_size;
    // A filter that does not decode prunes nothing: the segment itself is checked when opened.
    if (ok && !may_match(f, static_cast<std::uint8_t>(s.at("levels").get<unsigned>()), fields, words)) continue;
    if (!first) w.ch(',');
    first = false;
    w.integer(s.at("id").get<std::int64_t>());
  }
  w.raw("]}");
}

void run_rows(const json& req, std::string_view body, const read_filter& f, std::int64_t from, std::int64_t to,
              detail::json_writer& w, std::string& out) {
  auto segs = segments_of(req, body);
  auto limit = req.value("limit", std::size_t{100});
  auto order = req.value("order", std::string{"desc"});
  bool ascending = order == "asc", arrival = order == "arrival";
  auto after_id = req.value("after_id", std::int64_t{-1});
  std::optional<key> before, after;
  if (auto it = req.find("before"); it != req.end() && it->is_array()) before = key{(*it)[0], (*it)[1]};
  if (auto it = req.find("after"); it != req.end() && it->is_array()) after = key{(*it)[0], (*it)[1]};
  std::vector<std::int64_t> ids;
  if (auto it = req.find("ids"); it != req.end()) ids = it->get<std::vector<std::int64_t>>();
  struct hit {
    key k;
    const segment_ref* ref;
    const stored_event* ev;
  };
  std::vector<hit> hits;
  std::size_t scanned = 0, matched = 0;
  std::vector<std::pair<std::int64_t, errc>> damaged;
  opened_set open;
  open.keep = true;
  each_match(segs, f, from, to, scanned, matched, damaged, open,
             [&](const segment_ref& ref, const stored_event& ev, std::int64_t id) {
               key k{ev.ts, id};
               if ((before && !(k < *before)) || (after && !(*after < k)) || id <= after_id ||
                   (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())) {
                 --matched;
                 return true;
               }
               hits.push_back({k, &ref, &ev});
               return true;
             });
  // Newest first (oldest first when ascending, by id when in arrival order); only the best
  // `limit` are written.
  auto better = [&](const hit& a, const hit& b) {
    if (arrival) return a.k.id < b.k.id;
    return ascending ? a.k < b.k : b.k < a.k;
  };
  std::size_t keep = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep), hits.end(), better);
  if (auto fwd = req.find("forward"); fwd != req.end()) {
    std::vector<forward_item> items;
    for (std::size_t i = 0; i < keep; ++i)
      items.push_back({hits[i].ev, hits[i].k.id, hits[i].ref->project, hits[i].ref->received_at});
    write_forward(*fwd, items, hits.size(), w, scanned, matched, damaged);
    return;
  }
  hits.resize(keep);
  w.raw("{\"rows\":[");
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (i) w.ch(',');
    write_event_json(out, *hits[i].ev, hits[i].k.id, hits[i].ref->project, hits[i].ref->received_at);
  }
  w.raw("],\"keys\":[");
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (i) w.ch(',');
    w.ch('[');
    w.integer(hits[i].k.ts);
    w.ch(',');
    w.integer(hits[i].k.id);
    w.ch(']');
  }
  w.ch(']');
  write_tally(w, scanned, matched, damaged);
}

// Rows as a forwarding body ({"forward":{"body","count","last_id","more"}}): `more` when matching
// events after the last written were left for the next batch (by `limit` or the body's size).
void write_forward(const json& spec, std::span<const forward_item> items, std::size_t matching, detail::json_writer& w,
                   std::size_t scanned, std::size_t matched, const std::vector<std::pair<std::int64_t, errc>>& damaged) {
  forward_options options;
  if (!parse_forward_format(spec.value("format", std::string{"bulk"}), options.format))
    throw std::out_of_range("unknown forward format");
  options.index = spec.value("index", options.index);
  options.max_bytes = spec.value("max_bytes", options.max_bytes);
  std::string body;
  std::size_t written = write_forward_body(options, items, body);
  w.raw("{\"forward\":{\"body\":");
  w.string(body);
  w.raw(",\"count\":");
  w.integer(static_cast<std::int64_t>(written));
  w.raw(",\"last_id\":");
  w.integer(written ? items[written - 1].id : -1);
  w.raw(",\"more\":");
  w.raw(written < matching ? "true" : "false");
  w.ch('}');
  write_tally(w, scanned, matched, damaged);
}

void run_histogram(const json& req, std::string_view body, const read_filter& f, std::int64_t from,
                   std::int64_t to, detail::json_writer& w) {
  auto segs = segments_of(req, body);
  auto bucket = req.at("bucket").get<std::int64_t>();
  if (bucket <= 0) throw std::out_of_range("bucket must be positive");
  // Buckets count from `origin` (a chart's grid, at or before `from`), else from `from`.
  std::int64_t origin = req.contains("origin") ? req.at("origin").get<std::int64_t>() : from;
  if (origin > from) throw std::out_of_range("origin must not be after from");
  std::map<std::pair<std::int64_t, int>, std::int64_t> counts;
  std::size_t scanned = 0, matched = 0;
  std::vector<std::pair<std::int64_t, errc>> damaged;
  opened_set open;
  each_match(segs, f, from, to, scanned, matched, damaged, open, [&](const segment_ref&, const stored_event& ev, std::int64_t) {
    counts[{(ev.ts - origin) / bucket, static_cast<int>(ev.severity)}]++;
    return true;
  });
  w.raw("{\"counts\":[");
  bool first = true;
  for (const auto& [k, n] : counts) {
    if (!first) w.ch(',');
    first = false;
    w.ch('[');
    w.integer(k.first);
    w.raw(",\"");
    w.raw(level_name(static_cast<level>(k.second)));
    w.raw("\",");
    w.integer(n);
    w.ch(']');
  }
  w.ch(']');
  write_tally(w, scanned, matched, damaged);
}

// Top values of fields (and of tags, as "tag:<key>") among the matching events.
void run_facets(const json& req, std::string_view body, const read_filter& f, std::int64_t from, std::int64_t to,
                detail::json_writer& w) {
  auto segs = segments_of(req, body);
  auto names = req.at("fields").get<std::vector<std::string>>();
  auto top = req.value("top", std::size_t{5});
  std::vector<std::pair<std::string, std::optional<stored_field>>> wanted;
  bool want_tags = false;
  for (const auto& n : names) {
    if (n == "tags") {
      want_tags = true;
      continue;
    }
    for (std::size_t i = 0; i < stored_field_count; ++i)
      if (stored_field_name(static_cast<stored_field>(i)) == n) wanted.emplace_back(n, static_cast<stored_field>(i));
  }
  std::map<std::string, std::map<std::string, std::int64_t>> counts;
  std::size_t scanned = 0, matched = 0;
  std::vector<std::pair<std::int64_t, errc>> damaged;
  opened_set open;
  each_match(segs, f, from, to, scanned, matched, damaged, open, [&](const segment_ref&, const stored_event& ev, std::int64_t) {
    for (const auto& [name, field] : wanted)
      if (auto v = ev[*field]; !v.empty()) counts[name][std::string(v)]++;
    if (want_tags && ev.extra.find("\"tags\":") != std::string_view::npos) {
      std::string text(1, '{');
      text.append(ev.extra);
      text.push_back('}');
      auto doc = json::parse(text, nullptr, false);
      if (doc.is_object() && doc.contains("tags") && doc["tags"].is_object())
        for (const auto& [k, v] : doc["tags"].items())
          counts["tag:" + k][v.is_string() ? v.get<std::string>() : v.dump()]++;
    }
    return true;
  });
  w.raw("{\"facets\":[");
  bool first = true;
  for (const auto& [name, values] : counts) {
    std::vector<std::pair<std::string, std::int64_t>> sorted(values.begin(), values.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > top) sorted.resize(top);
    for (const auto& [value, n] : sorted) {
      if (!first) w.ch(',');
      first = false;
      w.ch('[');
      w.string(name);
      w.ch(',');
      w.string(value);
      w.ch(',');
      w.integer(n);
      w.ch(']');
    }
  }
  w.ch(']');
  write_tally(w, scanned, matched, damaged);
}

// The newest `limit` events (the filter applies) regrouped and retriaged by proposed rules.
void run_rules(const json& req, std::string_view body, const read_filter& f, std::int64_t from, std::int64_t to,
               detail::json_writer& w) {
  auto segs = segments_of(req, body);
  auto limit = req.value("limit", std::size_t{1000});
  std::vector<const stored_event*> events;
  std::size_t scanned = 0, matched = 0;
  std::vector<std::pair<std::int64_t, errc>> damaged;
  opened_set open;
  open.keep = true;
  each_match(segs, f, from, to, scanned, matched, damaged, open, [&](const segment_ref&, const stored_event& ev, std::int64_t) {
    events.push_back(&ev);
    return true;
  });
  auto newest = [](const stored_event* a, const stored_event* b) { return a->ts > b->ts; };
  if (events.size() > limit) {
    std::nth_element(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(limit), events.end(), newest);
    events.resize(limit);
  }
  auto p = preview_rules(events, req.value("current_fingerprint_rules", std::string{}),
                         req.value("fingerprint_rules", std::string{}), req.value("page_rules", std::string{}));
  auto lines = [&](const char* name, const std::vector<rule_line_count>& counts) {
    w.raw(name);
    w.ch('[');
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (i) w.ch(',');
      w.raw("{\"line\":");
      w.integer(counts[i].line);
      w.raw(",\"matches\":");
      w.integer(counts[i].matches);
      w.raw(",\"decides\":");
      w.integer(counts[i].decides);
      w.ch('}');
    }
    w.ch(']');
  };
  w.raw("{\"events\":");
  w.integer(p.events);
  w.raw(",\"issues_now\":");
  w.integer(static_cast<std::int64_t>(p.issues_now));
  w.raw(",\"issues_after\":");
  w.integer(static_cast<std::int64_t>(p.issues_after));
  w.raw(",\"paged_now\":");
  w.integer(p.paged_now);
  w.raw(",\"paged_after\":");
  w.integer(p.paged_after);
  lines(",\"fingerprint_lines\":", p.fingerprint_lines);
  lines(",\"page_lines\":", p.page_lines);
  w.raw(",\"problems\":[");
  for (std::size_t i = 0; i < p.problems.size(); ++i) {
    if (i) w.ch(',');
    w.string(p.problems[i]);
  }
  w.ch(']');
  write_tally(w, scanned, matched, damaged);
}

}  // namespace

errc run_read(std::string_view request, std::string_view body, std::string& out) {
  out.clear();
  auto req = json::parse(request, nullptr, false);
  if (!req.is_object()) return errc::invalid_context;
  try {
    read_filter f;
    std::string problem;
    read_filter_json(req.value("filter", json::object()), f, problem);
    detail::json_writer w(out);
    if (!problem.empty()) {
      w.raw("{\"error\":{\"code\":\"bad_request\",\"field\":\"q\",\"message\":");
      w.string(problem);
      w.raw("}}");
      return errc::ok;
    }
    auto mode = req.at("mode").get<std::string>();
    if (mode == "baseline") return baseline_series(request, out) ? errc::ok : errc::invalid_context;
    if (mode == "trending") return trending_json(request, out) ? errc::ok : errc::invalid_context;
    if (mode == "suggest") return suggestion_json(request, out) ? errc::ok : errc::invalid_context;
    if (mode == "suspect") return suspect_json(request, out) ? errc::ok : errc::invalid_context;
    std::int64_t from = req.value("from", std::int64_t{INT64_MIN}), to = req.value("to", std::int64_t{INT64_MAX});
    if (mode == "prune") run_prune(req, body, f, w);
    else if (mode == "rows") run_rows(req, body, f, from, to, w, out);
    else if (mode == "histogram") run_histogram(req, body, f, from, to, w);
    else if (mode == "facets") run_facets(req, body, f, from, to, w);
    else if (mode == "rules") run_rules(req, body, f, from, to, w);
    else return errc::invalid_context;
  } catch (const std::exception&) {
    out.clear();
    return errc::invalid_context;
  }
  return errc::ok;
}

}  // namespace edgelog
