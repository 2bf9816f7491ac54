// Robust baselines (median and MAD per hour of the week) and the Poisson tail test.
#include "edgelog/insights/baseline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace edgelog {

namespace {

constexpr int weeks_back = 4;
constexpr int min_weeks = 2;
constexpr int min_recent_hours = 6;
constexpr int max_recent_hours = 168;
constexpr double mad_to_sigma = 1.4826;

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double hi = *mid;
  if (v.size() % 2) return hi;
  double lo = *std::max_element(v.begin(), mid);
  return (lo + hi) / 2;
}

expectation from_samples(const std::vector<double>& values, baseline_basis basis) {
  expectation e;
  e.basis = basis;
  e.samples = static_cast<int>(values.size());
  e.median = median_of(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::fabs(v - e.median));
  e.mad = median_of(std::move(deviations));
  return e;
}

// "3", "0.4", "12".
std::string number(double v) {
  char buf[32];
  if (v < 9.95 && std::fabs(v - std::round(v)) > 0.05) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.0f", std::round(v));
  return buf;
}

}  // namespace

expectation expect_hour(std::span<const hourly_count> history, std::int64_t hour, std::int64_t since) {
  std::unordered_map<std::int64_t, std::uint64_t> at;
  at.reserve(history.size());
  for (const auto& h : history)
    if (h.hour < hour) at[h.hour] += h.events;
  auto count = [&](std::int64_t h) {
    auto it = at.find(h);
    return static_cast<double>(it == at.end() ? 0 : it->second);
  };
  std::vector<double> weekly;
  for (int k = 1; k <= weeks_back; ++k) {
    std::int64_t h = hour - k * week_ms;
    if (h >= since) weekly.push_back(count(h));
  }
  if (static_cast<int>(weekly.size()) >= min_weeks) return from_samples(weekly, baseline_basis::weekly);
  std::vector<double> recent;
  for (int k = 1; k <= max_recent_hours; ++k) {
    std::int64_t h = hour - k * hour_ms;
    if (h < since) break;
    recent.push_back(count(h));
  }
  if (static_cast<int>(recent.size()) >= min_recent_hours) return from_samples(recent, baseline_basis::recent);
  return {};
}

double tail_threshold(sensitivity s) noexcept {
  switch (s) {
    case sensitivity::low: return 1e-6;
    case sensitivity::high: return 1e-3;
    default: return 1e-4;
  }
}

double poisson_tail(std::uint64_t k, double lambda) noexcept {
  if (k == 0) return 1;
  if (lambda <= 0) return 0;
  auto log_pmf = [&](double i) { return i * std::log(lambda) - lambda - std::lgamma(i + 1); };
  if (static_cast<double>(k) <= lambda) {
    // The bulk: one minus the lower sum.
    double lower = 0;
    for (std::uint64_t i = 0; i < k; ++i) lower += std::exp(log_pmf(static_cast<double>(i)));
    return std::clamp(1 - lower, 0.0, 1.0);
  }
  // The tail: terms fall from k on; sum until they no longer matter.
  double sum = 0;
  for (std::uint64_t i = k; i < k + 100'000; ++i) {
    double term = std::exp(log_pmf(static_cast<double>(i)));
    sum += term;
    if (term < sum * 1e-15 || term == 0) break;
  }
  return std::min(sum, 1.0);
}

anomaly_verdict judge_anomaly(std::uint64_t observed, const expectation& e, std::int64_t window_s,
                              std::uint64_t min_events, sensitivity s) {
  anomaly_verdict v;
  double share = static_cast<double>(window_s) / 3600.0;
  v.expected = e.median * share;
  v.spread = mad_to_sigma * e.mad * share;
  if (e.basis == baseline_basis::none) return v;  // no history: a new scope never pages
  // The rate at the upper edge of what is usual, and never below one event an hour.
  double lambda = std::max((e.median + mad_to_sigma * e.mad) * share, share);
  v.p = poisson_tail(observed, lambda);
  v.fires = observed >= min_events && static_cast<double>(observed) > lambda && v.p < tail_threshold(s);
  return v;
}

std::string describe_expectation(const anomaly_verdict& v, const expectation& e, std::int64_t hour) {
  std::string out = "usually " + number(v.expected) + " ± " + number(v.spread);
  if (e.basis == baseline_basis::weekly) {
    static const char* days[] = {"Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"};
    std::int64_t day = hour / (24 * hour_ms);
    char at[40];
    std::snprintf(at, sizeof at, " on %s at %02d:00 UTC", days[((day % 7) + 7 + 4) % 7],
                  static_cast<int>((hour / hour_ms) % 24));
    out += at;
  } else if (e.basis == baseline_basis::recent) {
    out += " in recent hours";
  } else {
    out = "no history yet";
  }
  return out;
}

}  // namespace edgelog
