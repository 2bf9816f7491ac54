// Deterministic, realistic ingest batches: mixed levels, nested ctx objects, and stacks — the
// standard batch (~20 % with 14-frame stacks from a few handlers, ~25 issues per 200 events) and
// the random-stack batch (~30 % with 20 random frames each, so most of its issues are new).
#pragma once

#include <cstdint>
#include <string>

namespace edgelog::bench {

/// Builds {"events": [...]} with `events` events; the same arguments give the same bytes. With
/// `random_stacks`, ~30 % of the events carry 20 frames of random functions and files.
inline std::string make_batch(int events, std::uint64_t seed = 42, bool random_stacks = false) {
  std::uint64_t s = seed;
  auto next = [&s] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  static const char* levels[] = {"debug", "info", "info", "info", "warn", "error", "error", "fatal"};
  static const char* services[] = {"api.orders", "api.auth", "worker.billing", "web.checkout",
                                   "api.search"};
  static const char* messages[] = {
      "Database connection failed after %d retries for order #%d",
      "User %d signed in from 203.0.113.%d",
      "Payment provider answered 502 for invoice %d (attempt %d)",
      "Cache miss for key product:%d:%d",
      "Request to /api/v1/orders/%d took %dms",
      "TypeError: Cannot read properties of undefined (reading 'id') at step %d/%d",
  };
  // Every draw is its own statement: argument evaluation order differs between compilers.
  auto num = [&](std::uint64_t mod) { return std::to_string(next() % mod); };
  std::string out = "{\"events\":[";
  char buf[512];
  for (int i = 0; i < events; ++i) {
    if (i) out += ',';
    const char* level = levels[next() % 8];
    const char* format = messages[next() % 6];
    int a = static_cast<int>(next() % 100000);
    int b = static_cast<int>(next() % 1000);
    std::snprintf(buf, sizeof buf, format, a, b);
    int minute = static_cast<int>(next() % 60), second = static_cast<int>(next() % 60),
        milli = static_cast<int>(next() % 1000);
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-11-22T10:%02d:%02d.%03dZ", minute, second, milli);
    out += "{\"ts\":\"";
    out += ts;
    out += "\",\"level\":\"";
    out += level;
    out += "\",\"message\":\"";
    out += buf;
    out += "\",\"source\":\"";
    out += services[next() % 5];
    out += "\",\"env\":\"production\",\"user_id\":\"u-";
    out += num(5000);
    out += "\",\"request_id\":\"req-";
    out += num(1000000000);
    out += "\",\"ctx\":{\"http\":{\"method\":\"POST\",\"url\":\"https://shop.example.com/api/v1/orders/";
    out += num(100000);
    out += "?expand=items\",\"status\":";
    out += std::to_string(200 + (next() % 4) * 100);
    out += ",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\",\"headers\":{\"accept\":\"application/json\",\"accept-language\":\"en-US,en;q=0.9,fr;q=0.8\",\"x-forwarded-for\":\"198.51.100.23, 203.0.113.7\",\"x-request-start\":\"t=1795000000123\",\"cf-ipcountry\":\"DE\"}},";
    out += "\"cart\":{\"items\":[";
    int items = 3 + static_cast<int>(next() % 4);
    for (int k = 0; k < items; ++k) {
      if (k) out += ',';
      out += "{\"sku\":\"SKU-";
      out += num(100000);
      out += "\",\"qty\":";
      out += std::to_string(1 + next() % 5);
      out += ",\"price\":";
      out += num(10000);
      out += ".99,\"title\":\"Caf\\u00e9 grinder deluxe edition, stainless\"}";
    }
    out += "]},\"feature_flags\":[\"new-checkout\",\"fast-search\",\"beta-pricing\"],"
           "\"db\":{\"pool\":\"primary\",\"latency_ms\":";
    out += num(2000);
    out += ",\"query\":\"SELECT * FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT 50\"}}";
    if (random_stacks && next() % 10 < 3) {
      out += ",\"stack\":\"TypeError: Cannot read properties of undefined\\n";
      for (int f = 0; f < 20; ++f) {
        out += "    at fn" + num(1000000) + " (/app/src/mod" + num(100000) + "/file" + num(1000) + ".js:";
        out += num(4000);
        out += ":";
        out += num(120);
        out += ")\\n";
      }
      out += "\"";
    } else if (!random_stacks && next() % 5 == 0) {
      out += ",\"stack\":\"Error: upstream failed\\n";
      for (int f = 0; f < 14; ++f) {
        out += "    at handler" + std::to_string(f) + " (/app/src/services/orders/handler" +
               std::to_string(f) + ".js:";
        out += num(400);
        out += ":";
        out += num(80);
        out += ")\\n";
      }
      out += "\"";
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace edgelog::bench
