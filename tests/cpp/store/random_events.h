// Random ingest bodies that stress each column of a segment, shared by the segment suites.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace edgelog::test {

// Random events that stress each column: messages with every placeholder kind (and numbers that
// do not print back), stacks with odd numbers, ctx with every kind of value, non-ASCII text.
inline std::string random_body(std::mt19937_64& rng, int events) {
  auto pick = [&](std::initializer_list<const char*> xs) { return std::string(xs.begin()[rng() % xs.size()]); };
  auto num = [&] {
    switch (rng() % 9) {
      case 0: return std::to_string(rng() % 10);
      case 1: return "0" + std::to_string(rng() % 100);          // a leading zero: kept as text
      case 2: return std::to_string(rng());                       // 20 digits: past the codes
      case 3: return "-" + std::to_string(rng() % 1000);
      case 4: return std::to_string(rng() % 1000) + "." + std::to_string(rng() % 1000);
      case 5: return std::to_string(rng() % 100) + ".50";
      case 6: return "1e" + std::to_string(rng() % 20);
      case 7: return "0.000" + std::to_string(1 + rng() % 9);
      default: return std::to_string(rng() % 100000);
    }
  };
  // JSON numbers: no leading zeros, but exponents, signs, trailing zeros and 20 digits.
  auto json_num = [&] {
    std::string n = num();
    return n.size() > 1 && n[0] == '0' && n[1] != '.' ? n.substr(1) : n;
  };
  std::string body = "[";
  for (int i = 0; i < events; ++i) {
    if (i) body += ',';
    std::string message = pick({"order ", "user u-", "caf\\u00e9 ", "x=", "retry #", "<int> literal ", ""}) + num() +
                          pick({" failed", " took ", " from 203.0.113.", "ms", " at 2026-11-18T10:00:00Z", " id=", ""}) +
                          (rng() % 2 ? num() : std::string()) + pick({"", " \\\"quoted\\\" ", " 0x1f3a", " \\u2603"});
    if (message.empty()) message = "m";
    body += R"({"ts":)" + std::to_string(1'794'990'000'000 + static_cast<std::int64_t>(rng() % 5'000'000)) +
            R"(,"level":")" + pick({"trace", "debug", "info", "warn", "error", "fatal"}) + R"(","message":")" +
            message + "\"";
    if (rng() % 2) body += R"(,"source":")" + pick({"api", "web", "caf\\u00e9"}) + "\"";
    if (rng() % 3 == 0) body += R"(,"request_id":"req-)" + num() + "\"";
    if (rng() % 4 == 0) body += R"(,"release":"1.)" + std::to_string(rng() % 3) + "\"";
    if (rng() % 3 == 0) {
      body += R"(,"stack":"Error: )" + pick({"boom", "caf\\u00e9", "x 007"}) + "\\n";
      int frames = 1 + static_cast<int>(rng() % 6);
      for (int f = 0; f < frames; ++f)
        body += "    at fn" + num() + " (/app/src/mod" + std::to_string(rng() % 4) + ".js:" + num() + ":" + num() + ")" +
                (f + 1 < frames || rng() % 2 ? "\\n" : "");
      body += "\"";
    }
    if (rng() % 4) {
      body += R"(,"ctx":{"n":)" + json_num() + R"(,"s":")" + pick({"a", "b", "caf\\u00e9", "q\\\"x", ""}) + R"(","arr":[)" +
              json_num() + "," + json_num() + R"(,{"k":")" + pick({"v", "w"}) + R"("}],"deep":{"x":{"y":)" +
              pick({"true", "null", "false"}) + R"(,"z":")" + num() + R"("}},"f":)" + json_num() + "}";
    }
    if (rng() % 3 == 0) body += R"(,"tags":{"region":")" + pick({"eu", "us"}) + R"(","code":)" + json_num() + "}";
    body += "}";
  }
  return body + "]";
}

}  // namespace edgelog::test
