// The ingest decision: limits, signature, the reader, then the scrub and enrich passes.
#include "edgelog/ingest/pipeline.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/ingest/passes/scrub.h"
#include "edgelog/ingest/signature.h"

namespace edgelog {

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
    static constexpr std::pair<std::string_view, body_format> formats[] = {
        {"json", body_format::json},
        {"ndjson", body_format::ndjson},
        {"sentry_envelope", body_format::sentry_envelope},
        {"sentry_store", body_format::sentry_store},
        {"logtail_msgpack", body_format::logtail_msgpack},
        {"logtail_json", body_format::logtail_json},
        {"otlp_protobuf", body_format::otlp_protobuf},
        {"otlp_json", body_format::otlp_json},
        {"go_analytics", body_format::go_analytics},
        {"central", body_format::central}};
    std::string format = doc.value("format", std::string{"json"});
    auto f = std::find_if(std::begin(formats), std::end(formats), [&](const auto& p) { return p.first == format; });
    if (f == std::end(formats)) return errc::invalid_context;
    out.format = f->second;
    out.unsigned_key = doc.value("unsigned", false);
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
    out.retention_hours.fill(static_cast<std::uint32_t>(std::max<std::int64_t>(1, out.limits.max_age_ms / 3'600'000)));
    if (out.limits.max_age_ms == 0) out.retention_hours.fill(72);
    if (auto it = doc.find("retention_overrides"); it != doc.end() && it->is_object())
      for (const auto& [name, hours] : it->items())
        if (auto l = parse_level(name); l && hours.is_number_unsigned())
          out.retention_hours[static_cast<std::size_t>(*l)] = hours.get<std::uint32_t>();
    // The time clamp follows each level's retention, as the purge does.
    if (out.limits.max_age_ms > 0)
      for (std::size_t i = 0; i < out.retention_hours.size(); ++i)
        out.limits.max_age_ms_by_level[i] = std::int64_t{out.retention_hours[i]} * 3'600'000;
    out.known_event_ids = doc.value("known_event_ids", std::vector<std::string>{});
    if (auto it = doc.find("macs"); it != doc.end() && it->is_object()) {
      precomputed_macs m;
      m.body = it->value("body", std::vector<std::string>{});
      m.stamped_t = it->value("stamped_t", std::string{});
      m.stamped = it->value("stamped", std::vector<std::string>{});
      out.macs = std::move(m);
    }
    out.convert = doc.value("convert", false);
    out.alert_details = doc.value("alert_details", true);
    if (out.convert) {
      out.limits.stored_fingerprints = true;
      out.limits.max_age_ms = 0;
      out.limits.max_age_ms_by_level.fill(0);
      out.limits.max_future_ms = INT64_MAX / 2;
    }
    out.fingerprint_rules = parse_rules(doc.value("fingerprint_rules", std::string{}));
    out.page_rules = parse_rules(doc.value("page_rules", std::string{}));
  } catch (const nlohmann::json::exception&) {
    return errc::invalid_context;
  }
  return errc::ok;
}

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

// A refusal of the whole request: nothing is stored; the ledger counts it.
const ingest_decision& refuse(ingest_decision& d, errc code, std::size_t events, const rate_decision& shown,
                              const window_counts& project, const window_counts& ip, bool ip_spent) {
  d.status = http_status(code);
  d.error = code;
  d.ledger.push_back({outcome_of(code), error_code(code), events, 1});
  d.rate = shown;
  d.project_counts = project;
  d.ip_counts = ip;
  d.ip_spent = ip_spent;
  return d;
}

// Groups the accepted events by fingerprint, in order of first appearance.
void summarize_issues(ingest_decision& d) {
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    const event& ev = d.events[i];
    const std::string& fp = d.enriched[i].group.fingerprint;
    auto it = std::find_if(d.issues.begin(), d.issues.end(),
                           [&](const issue_summary& s) { return d.enriched[s.first].group.fingerprint == fp; });
    if (it == d.issues.end()) {
      d.issues.push_back({i, i, ev.severity, 0, ev.ts_ms, ev.ts_ms, {}, false});
      it = d.issues.end() - 1;
    }
    it->count++;
    if (!ev.release.empty() && it->releases.size() < issue_summary::max_releases &&
        std::find(it->releases.begin(), it->releases.end(), ev.release) == it->releases.end())
      it->releases.push_back(ev.release);
    it->max_level = std::max(it->max_level, ev.severity);
    it->paged = it->paged || d.enriched[i].cats.triage == action::page;
    it->first_ts = std::min(it->first_ts, ev.ts_ms);
    if (ev.ts_ms >= it->last_ts) {
      it->last_ts = ev.ts_ms;
      it->last = i;
    }
  }
}

// Drops events whose event_id storage already holds or an earlier event of the batch carries:
// an event with an id is stored at most once per project. Answers how many went.
std::size_t drop_duplicates(std::vector<event>& events, const std::vector<std::string>& known) {
  std::vector<std::string_view> seen;
  auto dup = [&](const event& ev) {
    if (ev.event_id.empty()) return false;
    if (std::find(known.begin(), known.end(), ev.event_id) != known.end() ||
        std::find(seen.begin(), seen.end(), ev.event_id) != seen.end())
      return true;
    seen.push_back(ev.event_id);
    return false;
  };
  auto end = std::remove_if(events.begin(), events.end(), dup);
  std::size_t n = static_cast<std::size_t>(events.end() - end);
  events.erase(end, events.end());
  return n;
}

// A request that was read: the rate it is answered with and the counts the shim keeps.
const ingest_decision& settle(ingest_decision& d, const rate_decision& project, const rate_decision& ip) {
  d.rate = project;
  d.project_counts = project.next;
  d.ip_counts = ip.next;
  d.ip_spent = true;
  return d;
}

}  // namespace

const ingest_decision& pipeline::decide(const ingest_context& ctx, std::string_view wire,
                                        std::string_view body) {
  ingest_decision& d = decision_;
  d = ingest_decision{};
  // Before anything is spent on the body: its size, then the client's request rate.
  rate_decision project_view = decide_rate(ctx.project_rate, ctx.project_counts, 0, ctx.now_ms);
  if (wire.size() > ctx.max_body_bytes || body.size() > ctx.max_decoded_bytes)
    return refuse(d, errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, false);
  // A decompressed body a hundred times its wire size (past 1 MiB) is a decompression bomb.
  if (body.size() > (1u << 20) && body.size() / 100 > wire.size())
    return refuse(d, errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, false);
  rate_decision ip = decide_rate(ctx.ip_rate, ctx.ip_counts, 1, ctx.now_ms);
  if (!ip.allowed) return refuse(d, errc::rate_limited, 0, ip, project_view.next, ip.next, false);

  signature_policy policy{ctx.now_ms, 300, ctx.require_timestamp};
  if (!ctx.convert && !ctx.unsigned_key) {
    errc e = ctx.macs ? verify_signature(ctx.signature, *ctx.macs, policy)
                      : verify_signature(ctx.signature, wire, ctx.secrets, policy);
    if (e != errc::ok) return refuse(d, e, 0, project_view, project_view.next, ip.next, true);
  }

  batch& b = parser_.parse(body, ctx.limits, ctx.now_ms, ctx.format);
  d.reply_id = b.reply_id;
  d.ignored = b.ignored_items;
  if (b.ignored_items) d.ledger.push_back({"ignored", "sentry_item", b.ignored_items, 0});
  if (b.error == errc::empty_batch && (b.ignored_items || b.empty_ok)) {
    // A Sentry envelope of sessions, client reports, …, or Logtail's empty final flush:
    // accepted, counted, nothing to store.
    d.status = 202;
    return settle(d, project_view, ip);
  }
  if (b.error != errc::ok) return refuse(d, b.error, 0, project_view, project_view.next, ip.next, true);

  rate_decision project = decide_rate(ctx.project_rate, ctx.project_counts, b.events.size(), ctx.now_ms);
  if (!b.events.empty() && !project.allowed && !ctx.convert)
    return refuse(d, errc::rate_limited, b.events.size(), project, project.next, ip.next, true);

  d.accepted = b.events.size();
  d.duplicates = drop_duplicates(b.events, ctx.known_event_ids);
  scrub_events(b.events, ctx.scrub, b.storage);
  d.enriched.reserve(b.events.size());
  for (const event& ev : b.events) d.enriched.push_back(enrich(ev, ctx.fingerprint_rules, ctx.page_rules));
  d.events = b.events;
  d.rejected = b.rejected;
  summarize_issues(d);

  for (const auto& rej : b.rejected) {
    auto code = error_code(rej.code);
    auto it = std::find_if(d.ledger.begin(), d.ledger.end(), [&](const auto& e) { return e.reason == code; });
    if (it == d.ledger.end()) d.ledger.push_back({"invalid", code, 1, 0});
    else ++it->events;
  }
  std::size_t truncated = 0, retimed = 0, scrubbed = 0;
  for (const event& ev : b.events) {
    truncated += ev.truncated != 0;
    retimed += ev.ts_replaced;
    scrubbed += ev.scrubbed != 0;
  }
  if (truncated) d.ledger.push_back({"truncated", "", truncated, 0});
  if (scrubbed) d.ledger.push_back({"scrubbed", "", scrubbed, 0});
  if (retimed) d.ledger.push_back({"retimed", "", retimed, 0});
  if (b.utf8_repaired) d.ledger.push_back({"utf8_repaired", "", 0, 1});
  d.retention_hours = ctx.retention_hours;
  d.counted = ctx.convert;
  d.alert_details = ctx.alert_details;
  if (d.accepted == 0) {
    d.status = http_status(errc::no_valid_events);
    d.error = errc::no_valid_events;
    d.ledger.push_back({"invalid", error_code(errc::no_valid_events), 0, 1});
  } else {
    d.status = 202;
  }
  return settle(d, project, ip);
}

}  // namespace edgelog
