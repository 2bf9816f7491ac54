// The one encoder: decision → the answer header and the rows the shim binds.
#include "encode.h"

#include <algorithm>

#include "detail/base64.h"
#include "detail/json_writer.h"
#include "edgelog/store/segment.h"

namespace edgelog {
namespace {

void write_counts(detail::json_writer& w, const window_counts& c) {
  w.raw("{\"window_start_ms\":");
  w.integer(c.window_start_ms);
  w.raw(",\"current\":");
  w.unsigned_integer(c.current);
  w.raw(",\"previous\":");
  w.unsigned_integer(c.previous);
  w.ch('}');
}

// The header fields every answer carries: rate-limit figures and the counts to keep.
void write_rate(detail::json_writer& w, const rate_decision& shown, const window_counts& project,
                const window_counts& ip, bool ip_spent) {
  w.raw(",\"rate\":{\"limit\":");
  w.unsigned_integer(shown.limit);
  w.raw(",\"remaining\":");
  w.unsigned_integer(shown.remaining);
  w.raw(",\"reset\":");
  w.integer(shown.reset_s);
  w.raw(",\"retry_after\":");
  w.integer(shown.retry_after_s);
  w.raw("},\"counts\":{\"project\":");
  write_counts(w, project);
  w.raw(",\"ip\":");
  write_counts(w, ip);
  w.raw("},\"ip_spent\":");
  w.integer(ip_spent ? 1 : 0);
}

void write_ledger_array(detail::json_writer& w, const std::vector<ledger_entry>& entries) {
  w.ch('[');
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"outcome\":");
    w.string(entries[i].outcome);
    w.raw(",\"reason\":");
    w.string(entries[i].reason);
    w.raw(",\"events\":");
    w.integer(static_cast<std::int64_t>(entries[i].events));
    w.raw(",\"requests\":");
    w.integer(static_cast<std::int64_t>(entries[i].requests));
    w.ch('}');
  }
  w.ch(']');
}

void write_ledger(detail::json_writer& w, const std::vector<ledger_entry>& entries) {
  w.raw(",\"ledger\":");
  write_ledger_array(w, entries);
}

void write_error(detail::json_writer& w, errc code) {
  w.raw(",\"error\":{\"code\":");
  w.string(error_code(code));
  w.raw(",\"message\":");
  w.string(error_message(code));
  w.ch('}');
}

void write_rejections(detail::json_writer& w, std::span<const rejection> rejected) {
  w.raw(",\"rejected\":[");
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"index\":");
    w.integer(rejected[i].index);
    w.raw(",\"code\":");
    w.string(error_code(rejected[i].code));
    w.raw(",\"message\":");
    w.string(rejected[i].message);
    w.ch('}');
  }
  w.ch(']');
}

void write_issues(detail::json_writer& w, const ingest_decision& d) {
  w.raw(",\"issues\":[");
  for (std::size_t i = 0; i < d.issues.size(); ++i) {
    const auto& is = d.issues[i];
    const enrichment& first = d.enriched[is.first];
    const enrichment& last_info = d.enriched[is.last];
    const event& last = d.events[is.last];
    if (i) w.ch(',');
    w.raw("{\"fingerprint\":\"");
    w.raw(first.group.fingerprint);
    w.raw("\",\"title\":");
    w.string(first.group.title);
    w.raw(",\"template\":");
    w.string(first.message_template);
    w.raw(",\"level\":\"");
    w.raw(level_name(is.max_level));
    w.raw("\",\"level_rank\":");
    w.integer(static_cast<int>(is.max_level));
    w.raw(",\"count\":");
    w.integer(static_cast<std::int64_t>(is.count));
    w.raw(",\"first_ts\":");
    w.integer(is.first_ts);
    w.raw(",\"last_ts\":");
    w.integer(is.last_ts);
    w.raw(",\"hint\":");
    if (first.cats.hint.empty()) w.raw("null");
    else w.string(first.cats.hint);
    if (is.paged) w.raw(",\"page\":true");
    // The latest event's context, for alert messages (already scrubbed), when alerts may be sent.
    if (d.alert_details) {
      w.optional_field("env", last.env);
      w.optional_field("source", last.source);
      w.optional_field("component", last_info.cats.component);
      w.optional_field("endpoint", last_info.cats.endpoint);
      w.optional_field("stack", last.stack.substr(0, detail::utf8_prefix(last.stack, 4096)));
    }
    w.ch('}');
  }
  w.ch(']');
}

// One segment per retention class, in order of first appearance; halved while too large.
void add_segments(const ingest_decision& d, std::span<const std::uint32_t> indices, std::size_t max_text,
                  const segment_options& options, std::vector<built_segment>& out) {
  std::span<const std::uint32_t> rest = indices;
  while (!rest.empty()) {
    auto take = std::min(rest.size(), segment_max_events);
    built_segment seg = build_segment(d.events, d.enriched, rest.first(take), options);
    while ((seg.bytes.size() + 2) / 3 * 4 > max_text && take > 1) {
      take /= 2;
      seg = build_segment(d.events, d.enriched, rest.first(take), options);
    }
    out.push_back(std::move(seg));
    rest = rest.subspan(take);
  }
}

std::vector<built_segment> segments_of(const ingest_decision& d, std::size_t max_text, const segment_options& options) {
  std::vector<std::uint32_t> classes;
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    auto hours = d.retention_hours[static_cast<std::size_t>(d.events[i].severity)];
    if (std::find(classes.begin(), classes.end(), hours) == classes.end()) classes.push_back(hours);
  }
  std::vector<built_segment> out;
  for (auto hours : classes) {
    std::vector<std::uint32_t> indices;
    for (std::size_t i = 0; i < d.events.size(); ++i)
      if (d.retention_hours[static_cast<std::size_t>(d.events[i].severity)] == hours)
        indices.push_back(static_cast<std::uint32_t>(i));
    std::size_t first = out.size();
    add_segments(d, indices, max_text, options, out);
    for (std::size_t s = first; s < out.size(); ++s) out[s].retention_hours = hours;
  }
  return out;
}

// Appends parts and records each one's name (and segment) and length.
class part_list {
 public:
  struct entry {
    std::string_view name;
    int segment;  // -1: a request-wide part
    std::size_t bytes;
  };
  explicit part_list(std::string& parts) : parts_(parts) {}
  std::string& open(std::string_view name, int segment = -1) {
    start_ = parts_.size();
    name_ = name;
    segment_ = segment;
    return parts_;
  }
  void close() { entries_.push_back({name_, segment_, parts_.size() - start_}); }
  const std::vector<entry>& entries() const { return entries_; }

 private:
  std::string& parts_;
  std::size_t start_ = 0;
  std::string_view name_;
  int segment_ = -1;
  std::vector<entry> entries_;
};

void write_segment_parts(part_list& parts, const built_segment& seg, int index, bool counted) {
  detail::base64_encode(seg.bytes, parts.open("data", index));
  parts.close();
  detail::base64_encode(seg.summary.fields.serialize(), parts.open("fields", index));
  parts.close();
  detail::base64_encode(seg.summary.words.serialize(), parts.open("words", index));
  parts.close();
  detail::base64_encode(seg.summary.ranges.serialize(), parts.open("ranges", index));
  parts.close();
  {
    detail::json_writer w(parts.open("issues", index));
    w.ch('[');
    for (std::size_t i = 0; !counted && i < seg.summary.issues.size(); ++i) {
      const auto& is = seg.summary.issues[i];
      if (i) w.ch(',');
      w.raw("{\"fingerprint\":\"");
      w.raw(is.fingerprint);
      w.raw("\",\"hour\":");
      w.integer(is.hour);
      w.raw(",\"count\":");
      w.integer(is.count);
      w.raw(",\"first_ts\":");
      w.integer(is.first_ts);
      w.raw(",\"last_ts\":");
      w.integer(is.last_ts);
      w.raw(",\"level_rank\":");
      w.integer(static_cast<int>(is.max_level));
      w.raw(",\"level\":\"");
      w.raw(level_name(is.max_level));
      w.raw("\"}");
    }
    w.ch(']');
    parts.close();
  }
  detail::json_writer w(parts.open("minutes", index));
  std::int64_t base = seg.summary.ts_min - ((seg.summary.ts_min % 60'000) + 60'000) % 60'000;
  w.ch('[');
  for (std::size_t i = 0; !counted && i < seg.summary.minute_levels.size(); ++i) {
    const auto& m = seg.summary.minute_levels[i];
    if (i) w.ch(',');
    w.raw("{\"minute\":");
    w.integer(base + static_cast<std::int64_t>(m[0]) * 60'000);
    w.raw(",\"level\":\"");
    w.raw(level_name(static_cast<level>(m[1])));
    w.raw("\",\"count\":");
    w.integer(m[2]);
    w.ch('}');
  }
  w.ch(']');
  parts.close();
}

void write_request_parts(part_list& parts, const ingest_decision& d) {
  {
    detail::json_writer w(parts.open("event_ids"));
    w.ch('[');
    bool first = true;
    for (const event& ev : d.events) {
      if (ev.event_id.empty()) continue;
      if (!first) w.ch(',');
      first = false;
      w.raw("{\"event_id\":");
      w.string(ev.event_id);
      w.raw(",\"ts\":");
      w.integer(ev.ts_ms);
      w.ch('}');
    }
    w.ch(']');
    parts.close();
  }
  {
    detail::json_writer w(parts.open("issues"));
    w.ch('[');
    for (std::size_t i = 0; !d.counted && i < d.issues.size(); ++i) {
      const auto& is = d.issues[i];
      const enrichment& e = d.enriched[is.first];
      if (i) w.ch(',');
      w.raw("{\"fingerprint\":\"");
      w.raw(e.group.fingerprint);
      w.raw("\",\"title\":");
      w.string(e.group.title);
      w.raw(",\"template\":");
      w.string(e.message_template);
      w.raw(",\"level\":\"");
      w.raw(level_name(is.max_level));
      w.raw("\",\"level_rank\":");
      w.integer(static_cast<int>(is.max_level));
      w.raw(",\"first_ts\":");
      w.integer(is.first_ts);
      w.raw(",\"last_ts\":");
      w.integer(is.last_ts);
      w.raw(",\"hint\":");
      if (e.cats.hint.empty()) w.raw("null");
      else w.string(e.cats.hint);
      w.raw(",\"releases\":[");
      for (std::size_t r = 0; r < is.releases.size(); ++r) {
        if (r) w.ch(',');
        w.string(is.releases[r]);
      }
      w.raw("]}");
    }
    w.ch(']');
    parts.close();
  }
  std::vector<ledger_entry> ledger = d.ledger;
  if (!d.events.empty()) ledger.push_back({"accepted", "", d.events.size(), 0});
  if (d.duplicates) ledger.push_back({"duplicate", "", d.duplicates, 0});
  detail::json_writer w(parts.open("ledger"));
  write_ledger_array(w, ledger);
  parts.close();
}

}  // namespace

ingest_result encode_ingest(const ingest_decision& d, std::size_t max_text, const segment_options& options) {
  ingest_result r;
  r.status = d.status;
  r.accepted = d.accepted;
  detail::json_writer header(r.header);
  header.raw("{\"status\":");
  header.integer(r.status);
  bool refused = d.status != 202 && d.error != errc::no_valid_events;
  if (d.error != errc::ok) write_error(header, d.error);
  if (!refused) {
    header.raw(",\"accepted\":");
    header.integer(static_cast<std::int64_t>(d.accepted));
    if (d.status == 202) {
      header.raw(",\"duplicates\":");
      header.integer(static_cast<std::int64_t>(d.duplicates));
    }
    write_rejections(header, d.rejected);
  }
  if (!d.reply_id.empty()) {
    header.raw(",\"reply_id\":");
    header.string(d.reply_id);
  }
  if (!d.missing_maps.empty()) {
    header.raw(",\"missing_maps\":[");
    for (std::size_t i = 0; i < d.missing_maps.size(); ++i) {
      if (i) header.raw(",");
      header.string(d.missing_maps[i]);
    }
    header.raw("]");
  }
  write_ledger(header, d.ledger);
  write_rate(header, d.rate, d.project_counts, d.ip_counts, d.ip_spent);
  write_issues(header, d);
  if (auto n = d.counted ? 0 : std::count_if(d.issues.begin(), d.issues.end(), [](const auto& is) { return !is.releases.empty(); })) {
    header.raw(",\"release_issues\":");
    header.integer(static_cast<std::int64_t>(n));
  }

  std::vector<built_segment> segments = segments_of(d, max_text, options);
  part_list parts(r.parts);
  header.raw(",\"segments\":[");
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i].summary;
    if (i) header.ch(',');
    header.raw("{\"events\":");
    header.integer(s.events);
    header.raw(",\"ts_min\":");
    header.integer(s.ts_min);
    header.raw(",\"ts_max\":");
    header.integer(s.ts_max);
    header.raw(",\"levels\":");
    header.integer(s.levels);
    header.raw(",\"retention_hours\":");
    header.integer(segments[i].retention_hours);
    header.ch('}');
    write_segment_parts(parts, segments[i], static_cast<int>(i), d.counted);
  }
  header.ch(']');
  if (d.status == 202) write_request_parts(parts, d);
  header.raw(",\"parts\":[");
  for (std::size_t i = 0; i < parts.entries().size(); ++i) {
    const auto& e = parts.entries()[i];
    if (i) header.ch(',');
    header.raw("{\"name\":\"");
    header.raw(e.name);
    header.ch('"');
    if (e.segment >= 0) {
      header.raw(",\"segment\":");
      header.integer(e.segment);
    }
    header.raw(",\"bytes\":");
    header.integer(static_cast<std::int64_t>(e.bytes));
    header.ch('}');
  }
  header.raw("]}");
  return r;
}

}  // namespace edgelog
