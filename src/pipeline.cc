// The ingest decision and its JSON encoding: a header for the shim and rows for json_each.
#include "edgelog/pipeline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/fingerprint.h"
#include "edgelog/signature.h"

namespace edgelog {
namespace {

// What the ledger calls a refusal of the whole request.
std::string_view outcome_of(errc e) {
  switch (e) {
    case errc::missing_signature:
    case errc::malformed_signature:
    case errc::stale_signature:
    case errc::bad_signature: return "bad_signature";
    case errc::body_too_large:
    case errc::too_many_events: return "too_large";
    case errc::rate_limited: return "rate_limited";
    default: return "invalid";
  }
}

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
                const window_counts& ip, std::size_t ip_spent) {
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
  w.integer(static_cast<std::int64_t>(ip_spent));
}

struct ledger_entry {
  std::string_view outcome, reason;
  std::size_t events = 0, requests = 0;
};

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

void write_rejections(detail::json_writer& w, const std::vector<rejection>& rejected) {
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

// A refusal of the whole request: nothing is stored; the ledger counts it.
ingest_result refuse(errc code, std::size_t events, const rate_decision& shown,
                     const window_counts& project, const window_counts& ip, std::size_t ip_spent) {
  ingest_result r;
  r.status = http_status(code);
  detail::json_writer w(r.header);
  w.raw("{\"status\":");
  w.integer(r.status);
  write_error(w, code);
  write_ledger(w, {{outcome_of(code), error_code(code), events, 1}});
  write_rate(w, shown, project, ip, ip_spent);
  w.raw(",\"chunks\":[]}");
  return r;
}

void write_row(detail::json_writer& w, const event& ev) {
  w.raw("{\"ts\":");
  w.integer(ev.ts_ms);
  w.raw(",\"level\":\"");
  w.raw(level_name(ev.severity));
  w.raw("\",\"message\":");
  w.string(ev.message);
  w.raw(",\"fingerprint\":\"");
  w.raw(fingerprint(ev));
  w.ch('"');
  w.optional_field("stack", ev.stack);
  w.optional_field("source", ev.source);
  w.optional_field("env", ev.env);
  w.optional_field("user_id", ev.user_id);
  w.optional_field("request_id", ev.request_id);
  w.optional_field("session_id", ev.session_id);
  w.optional_field("release", ev.release);
  w.optional_field("event_id", ev.event_id);
  w.optional_field("source_type", ev.source_type);
  w.optional_field("error_type", ev.error_type);
  w.optional_field("component", ev.component);
  w.optional_field("endpoint", ev.endpoint);
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
  w.ch('}');
}

}  // namespace

namespace {

void read_rate(const nlohmann::json& doc, const char* name, rate_limit& lim, window_counts& counts) {
  auto it = doc.find(name);
  if (it == doc.end()) return;
  lim.limit = it->value("limit", std::uint64_t{0});
  lim.window_ms = it->value("window_ms", std::int64_t{60'000});
  counts.window_start_ms = it->value("window_start_ms", std::int64_t{0});
  counts.current = it->value("current", std::uint64_t{0});
  counts.previous = it->value("previous", std::uint64_t{0});
}

}  // namespace

errc parse_ingest_context(std::string_view json, ingest_context& out) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return errc::invalid_context;
  try {
    out.now_ms = doc.at("now_ms").get<std::int64_t>();
    out.signature = doc.value("signature", std::string{});
    out.secrets = doc.value("secrets", std::vector<std::string>{});
    out.require_timestamp = doc.value("require_timestamp", false);
    std::string format = doc.value("format", std::string{"json"});
    if (format != "json" && format != "ndjson") return errc::invalid_context;
    out.format = format == "ndjson" ? body_format::ndjson : body_format::json;
    if (auto it = doc.find("limits"); it != doc.end()) {
      out.max_body_bytes = it->value("max_body_bytes", out.max_body_bytes);
      out.max_decoded_bytes = it->value("max_decoded_bytes", out.max_decoded_bytes);
      out.limits.max_events = it->value("max_events", out.limits.max_events);
      out.limits.max_age_ms = it->value("retention_hours", std::int64_t{0}) * 3'600'000;
    }
    if (auto it = doc.find("rate"); it != doc.end() && it->is_object()) {
      read_rate(*it, "project", out.project_rate, out.project_counts);
      read_rate(*it, "ip", out.ip_rate, out.ip_counts);
    }
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_context;
  }
  return errc::ok;
}

ingest_result pipeline::ingest(const ingest_context& ctx, std::string_view wire,
                               std::string_view body) {
  // Before anything is spent on the body: its size, then the client's request rate.
  rate_decision project_view = decide_rate(ctx.project_rate, ctx.project_counts, 0, ctx.now_ms);
  if (wire.size() > ctx.max_body_bytes || body.size() > ctx.max_decoded_bytes)
    return refuse(errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, 0);
  // A decompressed body a hundred times its wire size (past 1 MiB) is a decompression bomb.
  if (body.size() > (1u << 20) && body.size() / 100 > wire.size())
    return refuse(errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, 0);
  rate_decision ip = decide_rate(ctx.ip_rate, ctx.ip_counts, 1, ctx.now_ms);
  if (!ip.allowed) return refuse(errc::rate_limited, 0, ip, project_view.next, ip.next, 0);

  signature_policy policy{ctx.now_ms, 300, ctx.require_timestamp};
  if (errc e = verify_signature(ctx.signature, wire, ctx.secrets, policy); e != errc::ok)
    return refuse(e, 0, project_view, project_view.next, ip.next, 1);

  const batch& b = parser_.parse(body, ctx.limits, ctx.now_ms, ctx.format);
  if (b.error != errc::ok)
    return refuse(b.error, 0, project_view, project_view.next, ip.next, 1);

  rate_decision project = decide_rate(ctx.project_rate, ctx.project_counts, b.events.size(), ctx.now_ms);
  if (!b.events.empty() && !project.allowed)
    return refuse(errc::rate_limited, b.events.size(), project, project.next, ip.next, 1);

  std::vector<ledger_entry> ledger;
  for (const auto& rej : b.rejected) {
    auto code = error_code(rej.code);
    auto it = std::find_if(ledger.begin(), ledger.end(), [&](const auto& e) { return e.reason == code; });
    if (it == ledger.end()) ledger.push_back({"invalid", code, 1, 0});
    else ++it->events;
  }
  std::size_t truncated = 0, retimed = 0;
  for (const auto& ev : b.events) {
    truncated += ev.truncated != 0;
    retimed += ev.ts_replaced;
  }
  if (truncated) ledger.push_back({"truncated", "", truncated, 0});
  if (retimed) ledger.push_back({"retimed", "", retimed, 0});
  if (b.utf8_repaired) ledger.push_back({"utf8_repaired", "", 0, 1});

  ingest_result r;
  r.accepted = b.events.size();
  r.status = b.events.empty() ? http_status(errc::no_valid_events) : 202;
  detail::json_writer header(r.header);
  header.raw("{\"status\":");
  header.integer(r.status);
  if (b.events.empty()) {
    write_error(header, errc::no_valid_events);
    ledger.push_back({"invalid", error_code(errc::no_valid_events), 0, 1});
  }
  header.raw(",\"accepted\":");
  header.integer(static_cast<std::int64_t>(r.accepted));
  write_rejections(header, b.rejected);
  write_ledger(header, ledger);
  write_rate(header, project, project.next, ip.next, 1);

  header.raw(",\"chunks\":[");
  if (!b.events.empty()) {
    r.rows.reserve(body.size() + b.events.size() * 96);
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
    for (const auto& ev : b.events) {
      if (chunk_events > 0 && r.rows.size() - chunk_start > ctx.max_chunk_bytes) {
        close_chunk();
        chunk_start = r.rows.size();
        chunk_events = 0;
      }
      rows.ch(chunk_events ? ',' : '[');
      write_row(rows, ev);
      ++chunk_events;
    }
    close_chunk();
  }
  header.raw("]}");
  return r;
}

}  // namespace edgelog
