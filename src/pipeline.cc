// The ingest decision and its JSON encoding: a header for the shim and rows for json_each.
#include "edgelog/pipeline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "detail/json_writer.h"
#include "edgelog/categorize.h"
#include "edgelog/fingerprint.h"
#include "edgelog/signature.h"
#include "edgelog/stack.h"
#include "edgelog/template.h"

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
  w.raw(",\"issues\":[],\"chunks\":[]}");
  return r;
}

// What the core adds to an event: its template, stack, group and categories.
struct enriched {
  std::string message_template;
  std::string exception_type;
  parsed_stack stack;
  grouping group;
  categories cats;
};

enriched enrich(const event& ev, const ingest_context& ctx) {
  enriched e;
  e.message_template = template_message(ev.message);
  if (!ev.stack.empty()) e.stack = parse_stack(ev.stack);
  e.exception_type = !e.stack.exception_type.empty() ? e.stack.exception_type : exception_type_of(ev.message);
  e.group = group_event(ev, e.stack, e.exception_type, e.message_template, ctx.fingerprint_rules);
  e.cats = categorize(ev, e.stack, e.exception_type, ev.hints, ctx.page_rules);
  return e;
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

void write_row(detail::json_writer& w, const event& ev, const enriched& e) {
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

// One issue's share of a request.
struct issue_summary {
  const event* last = nullptr;
  const enriched* info = nullptr;
  const enriched* last_info = nullptr;
  level max_level = level::trace;
  std::size_t count = 0;
  std::int64_t first_ts = 0, last_ts = 0;
};

void write_issues(detail::json_writer& w, const std::vector<issue_summary>& issues) {
  w.raw(",\"issues\":[");
  for (std::size_t i = 0; i < issues.size(); ++i) {
    const auto& is = issues[i];
    if (i) w.ch(',');
    w.raw("{\"fingerprint\":\"");
    w.raw(is.info->group.fingerprint);
    w.raw("\",\"title\":");
    w.string(is.info->group.title);
    w.raw(",\"template\":");
    w.string(is.info->message_template);
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
    if (is.info->cats.hint.empty()) w.raw("null");
    else w.string(is.info->cats.hint);
    // The latest event's context, for alert messages (already scrubbed).
    w.optional_field("env", is.last->env);
    w.optional_field("source", is.last->source);
    w.optional_field("component", is.last_info->cats.component);
    w.optional_field("endpoint", is.last_info->cats.endpoint);
    w.optional_field("stack", is.last->stack.substr(0, detail::utf8_prefix(is.last->stack, 4096)));
    w.ch('}');
  }
  w.ch(']');
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
    if (auto it = doc.find("scrubbing"); it != doc.end() && it->is_object()) {
      out.scrub.enabled = it->value("enabled", true);
      out.scrub.extra_keys = it->value("extra_keys", std::vector<std::string>{});
      out.scrub.allow_keys = it->value("allow_keys", std::vector<std::string>{});
      out.scrub.patterns = it->value("patterns", std::vector<std::string>{});
      out.scrub.hash = it->value("hash", false);
      out.scrub.mask_emails = it->value("mask_emails", false);
      out.scrub.mask_ips = it->value("mask_ips", false);
    }
    out.fingerprint_rules = parse_rules(doc.value("fingerprint_rules", std::string{}));
    out.page_rules = parse_rules(doc.value("page_rules", std::string{}));
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

  batch_limits limits = ctx.limits;
  limits.scrub = &ctx.scrub;
  const batch& b = parser_.parse(body, limits, ctx.now_ms, ctx.format);
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
  std::size_t truncated = 0, retimed = 0, scrubbed = 0;
  std::vector<enriched> extra;
  extra.reserve(b.events.size());
  std::vector<issue_summary> issues;
  for (const auto& ev : b.events) {
    truncated += ev.truncated != 0;
    retimed += ev.ts_replaced;
    scrubbed += ev.scrubbed != 0;
    extra.push_back(enrich(ev, ctx));
    const enriched& e = extra.back();
    auto it = std::find_if(issues.begin(), issues.end(),
                           [&](const issue_summary& s) { return s.info->group.fingerprint == e.group.fingerprint; });
    if (it == issues.end()) {
      issues.push_back({&ev, &e, &e, ev.severity, 0, ev.ts_ms, ev.ts_ms});
      it = issues.end() - 1;
    }
    it->count++;
    it->max_level = std::max(it->max_level, ev.severity);
    it->first_ts = std::min(it->first_ts, ev.ts_ms);
    if (ev.ts_ms >= it->last_ts) {
      it->last_ts = ev.ts_ms;
      it->last = &ev;
      it->last_info = &e;
    }
  }
  if (truncated) ledger.push_back({"truncated", "", truncated, 0});
  if (scrubbed) ledger.push_back({"scrubbed", "", scrubbed, 0});
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
  write_issues(header, issues);

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
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      if (chunk_events > 0 && r.rows.size() - chunk_start > ctx.max_chunk_bytes) {
        close_chunk();
        chunk_start = r.rows.size();
        chunk_events = 0;
      }
      rows.ch(chunk_events ? ',' : '[');
      write_row(rows, b.events[i], extra[i]);
      ++chunk_events;
    }
    close_chunk();
  }
  header.raw("]}");
  return r;
}

}  // namespace edgelog
