// The ingest decision and its JSON encoding: a header for the shim and rows for json_each.
#include "edgelog/pipeline.h"

#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/fingerprint.h"
#include "edgelog/signature.h"

namespace edgelog {
namespace {

void write_error_header(detail::json_writer& w, errc code, int status) {
  w.raw("{\"status\":");
  w.integer(status);
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

ingest_result refuse(errc code) {
  ingest_result r;
  r.status = http_status(code);
  detail::json_writer w(r.header);
  write_error_header(w, code, r.status);
  w.ch('}');
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

errc parse_ingest_context(std::string_view json, ingest_context& out) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return errc::invalid_context;
  try {
    out.now_ms = doc.at("now_ms").get<std::int64_t>();
    out.signature = doc.value("signature", std::string{});
    out.secrets = doc.value("secrets", std::vector<std::string>{});
    out.require_timestamp = doc.value("require_timestamp", false);
    if (auto it = doc.find("limits"); it != doc.end()) {
      out.max_body_bytes = it->value("max_body_bytes", out.max_body_bytes);
      out.limits.max_events = it->value("max_events", out.limits.max_events);
      out.limits.max_age_ms = it->value("retention_hours", std::int64_t{0}) * 3'600'000;
    }
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_context;
  }
  return errc::ok;
}

ingest_result pipeline::ingest(const ingest_context& ctx, std::string_view body) {
  if (body.size() > ctx.max_body_bytes) return refuse(errc::body_too_large);
  signature_policy policy{ctx.now_ms, 300, ctx.require_timestamp};
  if (errc e = verify_signature(ctx.signature, body, ctx.secrets, policy); e != errc::ok)
    return refuse(e);

  const batch& b = parser_.parse(body, ctx.limits, ctx.now_ms);
  if (b.error != errc::ok) return refuse(b.error);

  ingest_result r;
  r.accepted = b.events.size();
  r.status = b.events.empty() ? http_status(errc::no_valid_events) : 202;
  detail::json_writer header(r.header);
  if (b.events.empty()) {
    write_error_header(header, errc::no_valid_events, r.status);
  } else {
    header.raw("{\"status\":202");
  }
  header.raw(",\"accepted\":");
  header.integer(static_cast<std::int64_t>(r.accepted));
  write_rejections(header, b.rejected);
  header.ch('}');

  if (!b.events.empty()) {
    r.rows.reserve(body.size() + b.events.size() * 96);
    detail::json_writer rows(r.rows);
    rows.ch('[');
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      if (i) rows.ch(',');
      write_row(rows, b.events[i]);
    }
    rows.ch(']');
  }
  return r;
}

}  // namespace edgelog
