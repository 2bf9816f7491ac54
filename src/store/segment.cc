// Segments: building one from typed events, opening one, and writing its events as API objects.
#include "edgelog/store/segment.h"

#include <algorithm>
#include <cstdio>

#include "store/columns.h"
#include "store/compress.h"
#include "detail/distinct_strings.h"
#include "detail/json_writer.h"
#include "detail/varint.h"
#include "edgelog/ingest/passes/stack.h"
#include "edgelog/timestamp.h"

namespace edgelog {
namespace {

constexpr std::string_view magic = "ELSG";
constexpr std::uint8_t codec_zstd = 1;
// A segment's payload decompresses to at most this (4096 events of the largest fields fit).
constexpr std::size_t max_payload_bytes = 256u << 20;

constexpr std::string_view field_names[stored_field_count] = {
    "message", "stack", "fingerprint", "template", "action", "source", "env", "user_id",
    "request_id", "session_id", "release", "event_id", "source_type", "error_type", "component",
    "endpoint", "exception_type", "hint"};

std::uint32_t fnv1a32(std::string_view s) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

// The values an event stores, in stored_field order.
std::array<std::string_view, stored_field_count> stored_values(const event& ev, const enrichment& e) {
  return {ev.message,         ev.stack,          e.group.fingerprint, e.message_template,
          action_name(e.cats.triage), ev.source, ev.env,              ev.user_id,
          ev.request_id,      ev.session_id,     ev.release,          ev.event_id,
          e.cats.source_type, e.cats.error_type, e.cats.component,    e.cats.endpoint,
          e.exception_type,   e.cats.hint};
}

// ctx, tags, truncated, ts_original and scrubbed as JSON members (no braces). Frames are not
// stored: they are parsed again from the stack when an event is written out.
void write_extra(std::string& out, const event& ev) {
  detail::json_writer w(out);
  auto sep = [&] {
    if (!out.empty()) w.ch(',');
  };
  if (!ev.ctx.empty()) {
    sep();
    w.raw("\"ctx\":");
    w.raw(ev.ctx);
  }
  if (!ev.tags.empty()) {
    sep();
    w.raw("\"tags\":");
    w.raw(ev.tags);
  }
  if (ev.truncated) {
    static constexpr std::pair<std::uint8_t, std::string_view> names[] = {
        {truncated_message, "message"}, {truncated_stack, "stack"}, {truncated_ctx, "ctx"},
        {truncated_tags, "tags"},       {truncated_field, "field"}};
    sep();
    w.raw("\"truncated\":[");
    bool first = true;
    for (const auto& [bit, name] : names) {
      if (!(ev.truncated & bit)) continue;
      if (!first) w.ch(',');
      first = false;
      w.string(name);
    }
    w.ch(']');
  }
  if (ev.ts_replaced) {
    sep();
    w.raw("\"ts_original\":");
    w.string(format_rfc3339(ev.ts_original));
  }
  if (ev.scrubbed) {
    sep();
    w.raw("\"scrubbed\":");
    w.integer(static_cast<std::int64_t>(ev.scrubbed));
  }
}

// Distinct hashes → a filter sized for them. Duplicates are dropped through an open-addressing
// set (cheaper than sorting in wasm); the filter's bits do not depend on the order of adds.
token_filter filter_of(std::vector<std::uint64_t>& hashes) {
  std::size_t cap = 16;
  while (cap < hashes.size() * 2) cap <<= 1;
  std::vector<std::uint64_t> seen(cap, 0);  // 0 marks a free slot; a hash of 0 is tracked apart
  bool zero = false;
  std::size_t kept = 0;
  for (std::uint64_t h : hashes) {
    if (h == 0) {
      if (!zero) hashes[kept++] = h;
      zero = true;
      continue;
    }
    std::size_t i = static_cast<std::size_t>(h ^ (h >> 32)) & (cap - 1);
    while (seen[i] != 0 && seen[i] != h) i = (i + 1) & (cap - 1);
    if (seen[i] == h) continue;
    seen[i] = h;
    hashes[kept++] = h;
  }
  hashes.resize(kept);
  token_filter f = token_filter::sized_for(hashes.size());
  for (auto h : hashes) f.add(h);
  return f;
}

// Version 1: every event as one record, in one zstd frame.
std::string records_of(std::span<const stored_event> rows) {
  std::string payload;
  std::size_t estimate = 0;
  for (const auto& r : rows) estimate += 96 + r[stored_field::message].size() + r[stored_field::stack].size() + r.extra.size();
  payload.reserve(estimate + estimate / 4);
  for (const auto& r : rows) {
    detail::put_zigzag(payload, r.ts);
    payload.push_back(static_cast<char>(r.severity));
    for (auto v : r.fields) detail::put_bytes(payload, v);
    detail::put_bytes(payload, r.extra);
  }
  return payload;
}

errc open_records(detail::byte_cursor& in, std::string& payload, std::vector<stored_event>& rows) {
  std::uint64_t raw_size = 0;
  std::string_view compressed;
  if (!in.varint(raw_size) || !in.bytes(compressed) || !in.at_end() || raw_size > max_payload_bytes)
    return errc::corrupt_segment;
  if (!detail::zstd_decompress(compressed, static_cast<std::size_t>(raw_size), payload) || payload.size() != raw_size)
    return errc::corrupt_segment;
  detail::byte_cursor p(payload);
  for (auto& row : rows) {
    std::uint8_t lvl = 0;
    if (!p.zigzag(row.ts) || !p.byte(lvl) || lvl > static_cast<std::uint8_t>(level::fatal))
      return errc::corrupt_segment;
    row.severity = static_cast<level>(lvl);
    for (auto& f : row.fields)
      if (!p.bytes(f)) return errc::corrupt_segment;
    if (!p.bytes(row.extra)) return errc::corrupt_segment;
  }
  return p.at_end() ? errc::ok : errc::corrupt_segment;
}

// The segment bytes of `rows`: header, body of the version asked for, checksum.
void write_segment(std::span<const stored_event> rows, std::int64_t ts_min, std::int64_t ts_max,
                   const segment_options& options, std::string& out) {
  out.append(magic);
  bool v1 = options.version == 1;
  out.push_back(static_cast<char>(v1 ? 1 : segment_version));
  if (v1) out.push_back(static_cast<char>(codec_zstd));
  detail::put_varint(out, rows.size());
  detail::put_zigzag(out, ts_min);
  detail::put_zigzag(out, ts_max);
  if (v1) {
    std::string payload = records_of(rows);
    detail::put_varint(out, payload.size());
    std::string compressed;
    detail::zstd_compress(payload, options.zstd_level, compressed);
    detail::put_bytes(out, compressed);
  } else {
    detail::write_columns(rows, ts_min, options.zstd_level, out);
  }
  std::uint32_t sum32 = fnv1a32(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((sum32 >> (8 * i)) & 0xff));
}

}  // namespace

std::string_view stored_field_name(stored_field f) noexcept {
  return field_names[static_cast<std::size_t>(f)];
}

built_segment build_segment(std::span<const event> events, std::span<const enrichment> enriched,
                            std::span<const std::uint32_t> indices, segment_options options) {
  built_segment seg;
  segment_summary& sum = seg.summary;
  seg.indices.assign(indices.begin(), indices.end());
  sum.events = static_cast<std::uint32_t>(indices.size());
  // The events as stored: views into the events, and their extra members written once (sized
  // first: the views point into these strings).
  std::vector<stored_event> rows(indices.size());
  std::vector<std::string> extras(indices.size());
  std::vector<std::uint64_t> field_hashes, word_hashes;
  detail::distinct_strings stacks_seen, values_seen;  // stacks, and ctx and tags string values, whose words are in
  for (std::size_t n = 0; n < indices.size(); ++n) {
    const event& ev = events[indices[n]];
    const enrichment& e = enriched[indices[n]];
    sum.ts_min = n ? std::min(sum.ts_min, ev.ts_ms) : ev.ts_ms;
    sum.ts_max = n ? std::max(sum.ts_max, ev.ts_ms) : ev.ts_ms;
    auto lvl = static_cast<std::size_t>(ev.severity);
    sum.level_counts[lvl]++;
    sum.levels = static_cast<std::uint8_t>(sum.levels | (1u << lvl));

    stored_event& row = rows[n];
    row.ts = ev.ts_ms;
    row.severity = ev.severity;
    row.fields = stored_values(ev, e);
    write_extra(extras[n], ev);
    row.extra = extras[n];

    for (stored_field f : equality_fields) {
      auto v = row[f];
      if (!v.empty()) field_hashes.push_back(field_hash(stored_field_name(f), v));
    }
    auto add_words = [&](std::string_view text) {
      for_each_token_hash(text, [&](std::uint64_t h) { word_hashes.push_back(h); });
    };
    add_words(ev.message);
    // Events of one issue often share their stack word for word: its words are in already.
    if (!ev.stack.empty() && stacks_seen.insert(ev.stack)) add_words(ev.stack);
    // Free text also finds the string values of ctx and tags, and comparisons their numbers: one
    // pass over each builds both.
    sum.ranges.add("ctx", ev.ctx, &word_hashes, &values_seen);
    sum.ranges.add("tags", ev.tags, &word_hashes, &values_seen);
  }
  // Per-minute counts by level (the chart rollup) and per-issue shares by hour (the issue rollup).
  for (std::size_t n = 0; n < indices.size(); ++n) {
    const event& ev = events[indices[n]];
    const std::string& fp = enriched[indices[n]].group.fingerprint;
    std::int64_t minute = ev.ts_ms - ((ev.ts_ms % 60'000) + 60'000) % 60'000;
    auto idx = static_cast<std::uint32_t>((minute - (sum.ts_min - ((sum.ts_min % 60'000) + 60'000) % 60'000)) / 60'000);
    auto lvl = static_cast<std::uint32_t>(ev.severity);
    auto ml = std::find_if(sum.minute_levels.begin(), sum.minute_levels.end(),
                           [&](const auto& m) { return m[0] == idx && m[1] == lvl; });
    if (ml == sum.minute_levels.end()) sum.minute_levels.push_back({idx, lvl, 1});
    else (*ml)[2]++;
    std::int64_t hour = ev.ts_ms - ((ev.ts_ms % 3'600'000) + 3'600'000) % 3'600'000;
    auto is = std::find_if(sum.issues.begin(), sum.issues.end(),
                           [&](const auto& i) { return i.hour == hour && i.fingerprint == fp; });
    if (is == sum.issues.end()) {
      sum.issues.push_back({fp, hour, 0, ev.ts_ms, ev.ts_ms, ev.severity});
      is = sum.issues.end() - 1;
    }
    is->count++;
    is->first_ts = std::min(is->first_ts, ev.ts_ms);
    is->last_ts = std::max(is->last_ts, ev.ts_ms);
    is->max_level = std::max(is->max_level, ev.severity);
  }
  sum.fields = filter_of(field_hashes);
  sum.words = filter_of(word_hashes);
  sum.words.set_covers_values();

  write_segment(rows, sum.ts_min, sum.ts_max, options, seg.bytes);
  return seg;
}

errc recode_segment(std::string_view bytes, std::string& out) {
  out.clear();
  segment_reader reader;
  opened_segment opened;
  if (errc e = reader.open(bytes, opened); e != errc::ok) return e;
  if (reader.version() == segment_version) return errc::ok;
  write_segment(opened.rows, opened.ts_min, opened.ts_max, {}, out);
  return errc::ok;
}

segment_reader::segment_reader() : columns_(std::make_unique<detail::column_reader>()) {}
segment_reader::~segment_reader() = default;
segment_reader::segment_reader(segment_reader&&) noexcept = default;
segment_reader& segment_reader::operator=(segment_reader&&) noexcept = default;

std::size_t segment_reader::columns_decoded() const noexcept { return columns_ ? columns_->decoded() : 0; }

errc segment_reader::open(std::string_view bytes, opened_segment& out, const segment_parts& wanted) {
  out = opened_segment{};
  version_ = 0;
  if (bytes.size() < magic.size() + 2 + 4 || bytes.substr(0, magic.size()) != magic) return errc::corrupt_segment;
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[bytes.size() - 4 + i])) << (8 * i);
  if (stored != fnv1a32(body)) return errc::corrupt_segment;
  detail::byte_cursor in(body.substr(magic.size()));
  std::uint8_t version = 0, codec = 0;
  std::uint64_t events = 0;
  if (!in.byte(version)) return errc::corrupt_segment;
  if (version > segment_version) return errc::unsupported_segment;
  if (version == 0 || (version == 1 && (!in.byte(codec) || codec != codec_zstd))) return errc::corrupt_segment;
  if (!in.varint(events) || !in.zigzag(out.ts_min) || !in.zigzag(out.ts_max) || events > segment_max_events)
    return errc::corrupt_segment;
  out.events = static_cast<std::uint32_t>(events);
  out.rows.resize(out.events);
  version_ = version;
  if (version == 1) return open_records(in, payload_, out.rows);
  std::string_view section = in.rest();
  if (!columns_) columns_ = std::make_unique<detail::column_reader>();
  return columns_->read(section, out.ts_min, wanted, out.rows);
}

void write_event_json(std::string& out, const stored_event& ev, std::int64_t id, std::string_view project,
                      std::int64_t received_at, const std::vector<rule>* in_app_rules) {
  detail::json_writer w(out);
  w.raw("{\"id\":");
  w.integer(id);
  w.raw(",\"project\":");
  w.string(project);
  w.raw(",\"ts\":\"");
  w.raw(format_rfc3339(ev.ts));
  w.raw("\",\"received_at\":\"");
  w.raw(format_rfc3339(received_at));
  w.raw("\",\"level\":\"");
  w.raw(level_name(ev.severity));
  w.raw("\",\"message\":");
  w.string(ev[stored_field::message]);
  w.raw(",\"fingerprint\":");
  w.string(ev[stored_field::fingerprint]);
  for (std::size_t i = 0; i < stored_field_count; ++i) {
    auto f = static_cast<stored_field>(i);
    if (f == stored_field::message || f == stored_field::fingerprint) continue;
    w.optional_field(field_names[i], ev.fields[i]);
  }
  if (auto stack = ev[stored_field::stack]; !stack.empty()) {
    parsed_stack parsed = parse_stack(stack);
    if (in_app_rules) apply_in_app_rules(*in_app_rules, parsed.frames);
    if (!parsed.frames.empty()) {
      w.raw(",\"frames\":[");
      std::size_t n = std::min<std::size_t>(parsed.frames.size(), 50);
      for (std::size_t i = 0; i < n; ++i) {
        const frame& f = parsed.frames[i];
        if (i) w.ch(',');
        w.raw("{\"function\":");
        w.string(f.function);
        w.raw(",\"module\":");
        w.string(f.module);
        w.raw(",\"file\":");
        w.string(f.file);
        w.raw(",\"line\":");
        w.integer(f.line);
        w.raw(f.in_app ? ",\"in_app\":true}" : ",\"in_app\":false}");
      }
      w.ch(']');
    }
  }
  if (!ev.extra.empty()) {
    w.ch(',');
    w.raw(ev.extra);
  }
  w.ch('}');
}

}  // namespace edgelog
