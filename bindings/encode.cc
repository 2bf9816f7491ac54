// The one encoder: decision → the answer header and the rows the shim binds.
#include "encode.h"

#include <algorithm>

#include "detail/json_writer.h"

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

void write_ledger(detail::json_writer& w, const std::vector<ledger_entry>& entries) {
  w.raw(",\"ledger\":[");
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

void write_frames(detail::json_writer& w, const std::vector<frame>& frames) {
  w.raw(",\"frames\":[");
  std::size_t n = std::min<std::size_t>(frames.size(), 50);
  for (std::size_t i = 0; i < n; ++i) {
    const frame& f = frames[i];
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

void write_row(detail::json_writer& w, const event& ev, const enrichment& e) {
  w.raw("{\"ts\":");
  w.integer(ev.ts_ms);
  w.raw(",\"level\":\"");
  w.raw(level_name(ev.severity));
  w.raw("\",\"message\":");
  w.string(ev.message);
  w.raw(",\"fingerprint\":\"");
  w.raw(e.group.fingerprint);
  w.raw("\",\"template\":");
  w.string(e.message_template);
  w.raw(",\"action\":\"");
  w.raw(action_name(e.cats.triage));
  w.ch('"');
  w.optional_field("stack", ev.stack);
  w.optional_field("source", ev.source);
  w.optional_field("env", ev.env);
  w.optional_field("user_id", ev.user_id);
  w.optional_field("request_id", ev.request_id);
  w.optional_field("session_id", ev.session_id);
  w.optional_field("release", ev.release);
  w.optional_field("event_id", ev.event_id);
  w.optional_field("source_type", e.cats.source_type);
  w.optional_field("error_type", e.cats.error_type);
  w.optional_field("component", e.cats.component);
  w.optional_field("endpoint", e.cats.endpoint);
  w.optional_field("exception_type", e.exception_type);
  w.optional_field("hint", e.cats.hint);
  if (!e.stack.frames.empty()) write_frames(w, e.stack.frames);
  if (!ev.ctx.empty()) {
    w.raw(",\"ctx\":");
    w.raw(ev.ctx);
  }
  if (!ev.tags.empty()) {
    w.raw(",\"tags\":");
    w.raw(ev.tags);
  }
  if (ev.truncated) {
    static constexpr std::pair<std::uint8_t, std::string_view> names[] = {
        {truncated_message, "message"}, {truncated_stack, "stack"}, {truncated_ctx, "ctx"},
        {truncated_tags, "tags"},       {truncated_field, "field"}};
    w.raw(",\"truncated\":[");
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
    w.raw(",\"ts_original\":");
    w.integer(ev.ts_original);
  }
  if (ev.scrubbed) {
    w.raw(",\"scrubbed\":");
    w.integer(static_cast<std::int64_t>(ev.scrubbed));
  }
  w.ch('}');
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
    // The latest event's context, for alert messages (already scrubbed).
    w.optional_field("env", last.env);
    w.optional_field("source", last.source);
    w.optional_field("component", last_info.cats.component);
    w.optional_field("endpoint", last_info.cats.endpoint);
    w.optional_field("stack", last.stack.substr(0, detail::utf8_prefix(last.stack, 4096)));
    w.ch('}');
  }
  w.ch(']');
}

}  // namespace

ingest_result encode_ingest(const ingest_decision& d, std::size_t max_chunk_bytes) {
  ingest_result r;
  r.status = d.status;
  r.accepted = d.events.size();
  detail::json_writer header(r.header);
  header.raw("{\"status\":");
  header.integer(r.status);
  bool refused = d.status != 202 && d.error != errc::no_valid_events;
  if (d.error != errc::ok) write_error(header, d.error);
  if (!refused) {
    header.raw(",\"accepted\":");
    header.integer(static_cast<std::int64_t>(r.accepted));
    write_rejections(header, d.rejected);
  }
  write_ledger(header, d.ledger);
  write_rate(header, d.rate, d.project_counts, d.ip_counts, d.ip_spent);
  write_issues(header, d);

  header.raw(",\"chunks\":[");
  if (!d.events.empty()) {
    r.rows.reserve(d.events.size() * 1024);
    detail::json_writer rows(r.rows);
    std::size_t chunk_start = 0, chunk_events = 0;
    auto close_chunk = [&] {
      rows.ch(']');
      if (chunk_start) header.ch(',');
      header.ch('[');
      header.integer(static_cast<std::int64_t>(r.rows.size() - chunk_start));
      header.ch(',');
      header.integer(static_cast<std::int64_t>(chunk_events));
      header.ch(']');
    };
    for (std::size_t i = 0; i < d.events.size(); ++i) {
      if (chunk_events > 0 && r.rows.size() - chunk_start > max_chunk_bytes) {
        close_chunk();
        chunk_start = r.rows.size();
        chunk_events = 0;
      }
      rows.ch(chunk_events ? ',' : '[');
      write_row(rows, d.events[i], d.enriched[i]);
      ++chunk_events;
    }
    close_chunk();
  }
  header.raw("]}");
  return r;
}

}  // namespace edgelog
