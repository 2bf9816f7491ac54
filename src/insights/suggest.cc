// One rule per root-cause hint, each naming what the issue's evidence concentrates on.
#include "edgelog/insights/suggest.h"

#include <algorithm>
#include <cmath>


namespace edgelog {

namespace {

constexpr double concentrated = 0.6;  // a value holding this share of the sample is "where it happens"

struct top_value {
  std::string value;
  int percent = 0;
};

// The most frequent value of a field when it holds at least `at_least` of the sample.
std::optional<top_value> top(const issue_evidence& e, std::string_view field, double at_least = concentrated) {
  auto it = e.fields.find(field);
  if (it == e.fields.end() || it->second.empty() || e.sample == 0) return std::nullopt;
  const evidence_value* best = &it->second.front();
  for (const auto& v : it->second)
    if (v.events > best->events) best = &v;
  double share = static_cast<double>(best->events) / static_cast<double>(e.sample);
  if (share < at_least || best->value.empty()) return std::nullopt;
  return top_value{best->value, static_cast<int>(std::lround(std::min(share, 1.0) * 100))};
}

// The upstream the events name in their tags, if one dominates.
std::optional<top_value> upstream(const issue_evidence& e) {
  for (std::string_view tag : {"tag:upstream", "tag:peer.service", "tag:host", "tag:server.address", "tag:db", "tag:service"})
    if (auto t = top(e, tag)) return t;
  return std::nullopt;
}

// How many different non-empty values the sample holds for a field (an empty one is "not recorded").
std::size_t distinct(const issue_evidence& e, std::string_view field) {
  auto it = e.fields.find(field);
  if (it == e.fields.end()) return 0;
  return static_cast<std::size_t>(
      std::count_if(it->second.begin(), it->second.end(), [](const evidence_value& v) { return !v.value.empty(); }));
}

std::string pct(const top_value& t) { return std::to_string(t.percent) + " %"; }

}  // namespace

std::optional<suggestion> suggest(const issue_evidence& e) {
  auto endpoint = top(e, "endpoint");
  auto source = top(e, "source");
  auto env = top(e, "env");
  auto component = top(e, "component");
  auto up = upstream(e);
  // A release share only says something when the issue spans several releases.
  auto release = top(e, "release", 0.8);
  if (release && distinct(e, "release") < 2) release.reset();
  const std::string& h = e.hint;
  std::string t;
  if (h == "timeout") {
    if (endpoint)
      t = "Timeouts concentrate on " + endpoint->value + " (" + pct(*endpoint) + ")" + (up ? " calling " + up->value : "") +
          ": check that upstream's latency and this call's timeout budget.";
    else if (auto endpoints = distinct(e, "endpoint"); endpoints >= 2)
      t = "Timeouts are spread over " + std::to_string(endpoints) +
          " endpoints: look at a dependency they share (database, DNS, network)" +
          std::string(up ? ", such as " + up->value : "") + " rather than one route.";
    else  // the events name no endpoint: say what would narrow it down instead of guessing
      t = "Timeouts" + std::string(up ? " calling " + up->value : "") + ": check " +
          (up ? "that upstream's" : std::string("the upstream's")) +
          " latency and this call's timeout budget; send the route (ctx.route) with the events to see where they concentrate.";
  } else if (h == "connection_refused") {
    t = "Connections to " + (up ? up->value : std::string("an upstream")) + " are refused" +
        (source ? " from " + source->value : "") + ": is it running and listening on the configured address" +
        (env ? " in " + env->value : "") + "?";
  } else if (h == "connection_reset") {
    t = "Connections are reset mid-request" + (up ? " by " + up->value : std::string()) +
        ": look for restarts, idle timeouts, or a proxy closing keep-alive connections.";
  } else if (h == "dns_failure") {
    t = "Names do not resolve" + (env ? " in " + env->value : std::string()) + ": check the hostname configured for " +
        (up ? up->value : std::string("the upstream")) + " and the resolver.";
  } else if (h == "tls_error") {
    t = "TLS handshakes fail" + (up ? " with " + up->value : std::string()) + ": check the certificate's expiry and chain" +
        (env ? " and the CA bundle in " + env->value : "") + ".";
  } else if (h == "upstream_5xx") {
    t = "The upstream fails, not this service" + (up ? " (" + up->value + ")" : std::string()) +
        (endpoint ? ", " + pct(*endpoint) + " on " + endpoint->value : "") + ": check its status before changing code here.";
  } else if (h == "upstream_rate_limited") {
    t = "An upstream's quota is exhausted" + (up ? " (" + up->value + ")" : std::string()) +
        (endpoint ? ", " + pct(*endpoint) + " from " + endpoint->value : "") +
        ": honour Retry-After, cache or batch those calls, or raise the quota.";
  } else if (h == "out_of_memory") {
    t = "Memory runs out" + (component ? " in " + component->value : std::string()) +
        (release ? ", " + pct(*release) + " of the events from " + release->value : "") +
        ": look for a leak" + (release ? " in that release" : "") + " before raising the limit.";
  } else if (h == "disk_full") {
    t = "A disk is full" + (source ? " on " + source->value : std::string()) +
        ": free space, rotate logs and temporary files, then find what grows.";
  } else if (h == "permission_denied") {
    t = "Permission is denied" + (component ? " to " + component->value : std::string()) +
        (env ? " in " + env->value : "") + ": check the credentials, roles or file modes a recent deploy changed.";
  } else if (h == "null_dereference") {
    t = "A value is missing" + (component ? " in " + component->value : std::string()) +
        (release ? "; " + pct(*release) + " of the events are from " + release->value +
                       ": a change in that release probably stopped setting it."
                 : ": guard the access and find where it should have been set.");
  } else if (h == "parse_error") {
    t = "Input does not parse" + (source ? " from " + source->value : std::string()) +
        (endpoint ? " on " + endpoint->value : "") + ": log a sample of the payload and check its producer's format.";
  } else if (h == "deadlock") {
    t = "Transactions deadlock" + (component ? " in " + component->value : std::string()) +
        ": take locks in one order and keep transactions short.";
  } else {
    return std::nullopt;
  }
  return suggestion{h, t};
}


}  // namespace edgelog
