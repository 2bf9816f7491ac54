// The ingest decision: limits, signature, the reader, then the scrub and enrich passes.
#include "edgelog/ingest/pipeline.h"

#include <algorithm>
#include <climits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "edgelog/ingest/passes/enrich.h"
#include "edgelog/ingest/passes/scrub.h"
#include "edgelog/ingest/signature.h"
#include "edgelog/sourcemaps/symbolicate.h"

namespace edgelog {

void project_settings::set_retention(std::uint32_t hours, const std::array<std::uint32_t, 6>& overrides) {
  limits.max_age_ms = std::int64_t{hours} * 3'600'000;
  retention_hours.fill(hours ? std::max<std::uint32_t>(1, hours) : 72);
  for (std::size_t i = 0; i < overrides.size(); ++i)
    if (overrides[i]) retention_hours[i] = overrides[i];
  // The time clamp follows each level's retention, as the purge does.
  limits.max_age_ms_by_level.fill(0);
  if (hours)
    for (std::size_t i = 0; i < retention_hours.size(); ++i)
      limits.max_age_ms_by_level[i] = std::int64_t{retention_hours[i]} * 3'600'000;
}

void project_settings::set_convert() {
  convert = true;
  limits.stored_fingerprints = true;
  limits.max_age_ms = 0;
  limits.max_age_ms_by_level.fill(0);
  limits.max_future_ms = INT64_MAX / 2;
}

bool is_drop_outcome(std::string_view outcome) noexcept {
  return outcome == "invalid" || outcome == "rate_limited" || outcome == "bad_signature" || outcome == "too_large";
}

namespace {

// What the ledger calls a refusal of the whole request (is_drop_outcome knows these names).
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

// The maps one batch may ask the shim for (a batch of Node stacks names many files).
constexpr std::size_t max_missing_maps = 64;

// Adds `"name":value` (JSON, ASCII) to the event's ctx when ctx stays within its limit.
void add_to_ctx(event& ev, const batch_limits& limits, const std::string& member) {
  std::string ctx = ev.ctx.empty() || ev.ctx == "{}" ? "{" + member + "}" : ev.ctx.substr(0, ev.ctx.size() - 1) + "," + member + "}";
  if (ctx.size() <= limits.max_ctx_bytes) ev.ctx = std::move(ctx);
}

std::string ascii_json(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// `"debug_images":[…]`: the debug IDs of the bundles the event's stack names, or empty when none.
std::string debug_images_member(const event& ev) {
  std::string images;
  for (const auto& [file, id] : ev.debug_images) {
    if (ev.stack.find(file) == std::string_view::npos) continue;
    images += images.empty() ? "\"debug_images\":[" : ",";
    images += "{\"code_file\":" + ascii_json(file) + ",\"debug_id\":" + ascii_json(id) + "}";
  }
  if (!images.empty()) images += ']';
  return images;
}

// JavaScript stacks rewritten to their sources where a kept map covers them (`maps`, null for a
// project without maps), before grouping; the minified stack and the first in-app frame's context
// lines go to ctx.symbolicated.
void symbolicate_events(batch& b, const batch_limits& limits, std::int64_t project, map_cache* maps, std::vector<std::string>& missing) {
  for (event& ev : b.events) {
    if (ev.stack.empty()) continue;
    symbolicated s;
    if (maps) s = symbolicate_stack(ev.stack, project, ev.release, ev.debug_images, *maps, missing);
    if (missing.size() > max_missing_maps) missing.resize(max_missing_maps);
    // The bundles' debug IDs are kept with the stack they name (in ctx.debug_images when it is not
    // symbolicated, no map yet), so that a later read can symbolicate it, or read its context.
    std::string images = debug_images_member(ev);
    if (!s.frames) {
      if (!images.empty()) add_to_ctx(ev, limits, images);
      continue;
    }
    if (s.stack.size() > limits.max_stack_bytes) s.stack.resize(s.stack.rfind('\n', limits.max_stack_bytes));
    std::string added = "\"symbolicated\":{\"frames\":" + std::to_string(s.frames) + ",\"minified_stack\":" + ascii_json(ev.stack);
    if (!s.context_json.empty()) added += ",\"context\":" + s.context_json;
    if (!images.empty()) added += "," + images;
    added += '}';
    add_to_ctx(ev, limits, added);
    ev.stack = b.storage.emplace_back(std::move(s.stack));
  }
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
  batch_ = nullptr;
  const project_settings& settings = *ctx.project;
  // Before anything is spent on the body: its size, then the client's request rate.
  rate_decision project_view = decide_rate(ctx.project_rate, ctx.project_counts, 0, ctx.now_ms);
  if (wire.size() > settings.max_body_bytes || body.size() > settings.max_decoded_bytes)
    return refuse(d, errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, false);
  // A decompressed body a hundred times its wire size (past 1 MiB) is a decompression bomb.
  if (body.size() > (1u << 20) && body.size() / 100 > wire.size())
    return refuse(d, errc::body_too_large, 0, project_view, project_view.next, ctx.ip_counts, false);
  rate_decision ip = decide_rate(ctx.ip_rate, ctx.ip_counts, 1, ctx.now_ms);
  if (!ip.allowed) return refuse(d, errc::rate_limited, 0, ip, project_view.next, ip.next, false);

  signature_policy policy{ctx.now_ms, 300, settings.require_timestamp};
  if (!settings.convert && !ctx.unsigned_key) {
    errc e = ctx.macs ? verify_signature(ctx.signature, *ctx.macs, policy)
                      : verify_signature(ctx.signature, wire, ctx.secrets, policy);
    if (e != errc::ok) return refuse(d, e, 0, project_view, project_view.next, ip.next, true);
  }

  batch& b = parser_.parse(body, settings.limits, ctx.now_ms, ctx.format);
  batch_ = &b;
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
  if (!b.events.empty() && !project.allowed && !settings.convert)
    return refuse(d, errc::rate_limited, b.events.size(), project, project.next, ip.next, true);

  d.accepted = b.events.size();
  d.duplicates = drop_duplicates(b.events, ctx.known_event_ids);
  symbolicate_events(b, settings.limits, ctx.project_id, ctx.maps && ctx.symbolicate ? ctx.maps : nullptr, d.missing_maps);
  scrub_events(b.events, settings.scrub, b.storage);
  d.enriched.reserve(b.events.size());
  // Events of one issue often carry one stack word for word: it is parsed once per batch.
  std::unordered_map<std::string_view, std::size_t> first_with_stack;
  for (const event& ev : b.events) {
    const parsed_stack* same_stack = nullptr;
    if (!ev.stack.empty()) {
      auto [it, fresh] = first_with_stack.try_emplace(ev.stack, d.enriched.size());
      if (!fresh) same_stack = &d.enriched[it->second].stack;
    }
    d.enriched.push_back(enrich(ev, settings.fingerprint_rules, settings.page_rules, settings.in_app_rules, same_stack));
  }
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
  d.retention_hours = settings.retention_hours;
  d.counted = settings.convert;
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

const ingest_decision& pipeline::without_stored(const std::vector<std::string>& stored) {
  ingest_decision& d = decision_;
  if (!batch_ || d.status != 202) return d;
  auto& events = batch_->events;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!events[i].event_id.empty() &&
        std::find(stored.begin(), stored.end(), events[i].event_id) != stored.end())
      continue;
    if (kept != i) {
      events[kept] = std::move(events[i]);
      d.enriched[kept] = std::move(d.enriched[i]);
    }
    ++kept;
  }
  d.duplicates += events.size() - kept;
  events.resize(kept);
  d.enriched.resize(kept);
  d.events = events;
  d.issues.clear();
  summarize_issues(d);
  return d;
}

}  // namespace edgelog
