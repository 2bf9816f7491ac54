// The scrubbing pass over typed events.
#include <doctest/doctest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "edgelog/ingest/passes/scrub.h"

using edgelog::event;

namespace {

std::vector<event> one_event(std::string_view message, std::string_view stack, std::string ctx, std::string tags) {
  event ev;
  ev.message = message;
  ev.stack = stack;
  ev.ctx = std::move(ctx);
  ev.tags = std::move(tags);
  return {ev};
}

}  // namespace

TEST_CASE("masks secrets in message, stack, ctx and tags and counts them") {
  std::deque<std::string> storage;
  auto events = one_event("login password=hunter2 ok", "Error\n    at f (/app/x.js?token=abc:1:1)",
                          R"({"user":{"password":"p","name":"ann"}})", R"({"api_key":"k1"})");
  edgelog::scrub_events(events, edgelog::scrub_options{}, storage);
  const event& ev = events[0];
  CHECK(ev.message.find("hunter2") == std::string_view::npos);
  CHECK(ev.message.find("login password=") == 0);
  CHECK(ev.stack.find("abc") == std::string_view::npos);
  CHECK(ev.ctx.find("\"p\"") == std::string::npos);
  CHECK(ev.ctx.find("\"ann\"") != std::string::npos);
  CHECK(ev.tags.find("k1") == std::string::npos);
  CHECK(ev.scrubbed == 4);
}

TEST_CASE("leaves events untouched when scrubbing is off or there is nothing to mask") {
  std::deque<std::string> storage;
  edgelog::scrub_options off;
  off.enabled = false;
  auto events = one_event("password=hunter2", "", R"({"token":"t"})", "");
  edgelog::scrub_events(events, off, storage);
  CHECK(events[0].message == "password=hunter2");
  CHECK(events[0].ctx == R"({"token":"t"})");
  CHECK(events[0].scrubbed == 0);

  auto clean = one_event("all good", "", R"({"user":"ann"})", "");
  edgelog::scrub_events(clean, edgelog::scrub_options{}, storage);
  CHECK(clean[0].message == "all good");
  CHECK(clean[0].ctx == R"({"user":"ann"})");
  CHECK(clean[0].scrubbed == 0);
  CHECK(storage.empty());
}

TEST_CASE("a key or value judged in one event of a batch is judged the same in the next ones") {
  // The pass remembers clean keys and values across the batch: a sensitive one is never remembered.
  std::deque<std::string> storage;
  std::vector<event> events;
  for (int k = 0; k < 3; ++k) {
    auto ev = one_event("m", "", R"({"token":"t1","ua":"Mozilla/5.0","n":"4111 1111 1111 1111"})", R"({"token":"t1"})");
    events.push_back(ev[0]);
  }
  edgelog::scrub_events(events, edgelog::scrub_options{}, storage);
  for (const event& ev : events) {
    CHECK(ev.ctx.find("t1") == std::string::npos);
    CHECK(ev.ctx.find("4111") == std::string::npos);
    CHECK(ev.ctx.find("Mozilla/5.0") != std::string::npos);
    CHECK(ev.tags.find("t1") == std::string::npos);
    CHECK(ev.scrubbed == 3);
  }
}

TEST_CASE("property: scrubbing a batch at once equals scrubbing its events one by one") {
  std::mt19937 rng(20261208);
  auto pick = [&](std::initializer_list<std::string_view> options) {
    return std::string(options.begin()[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)]);
  };
  auto ctx = [&] {
    std::string s = "{";
    int n = std::uniform_int_distribution<int>(0, 5)(rng);
    for (int k = 0; k < n; ++k) {
      if (k) s += ',';
      s.append("\"").append(pick({"user", "password", "ua", "note", "api_key", "id", "Authorization", "x\\u0074oken"})).append("\":");
      s += pick({R"("ann")", R"("hunter2")", R"("Bearer abcdefghijklmnop")", R"("4111 1111 1111 1111")", R"("a@b.io http://x")",
                 R"("plain words")", "12", R"({"password":"p","k":"plain words"})", R"(["ann","eyJhbGciOi"])"});
    }
    return s + "}";
  };
  for (int round = 0; round < 50; ++round) {
    std::vector<event> batch;
    int n = std::uniform_int_distribution<int>(1, 12)(rng);
    for (int k = 0; k < n; ++k) batch.push_back(one_event("m", "", ctx(), ctx())[0]);
    std::vector<event> alone = batch;
    std::deque<std::string> storage;
    edgelog::scrub_events(batch, edgelog::scrub_options{}, storage);
    for (std::size_t k = 0; k < alone.size(); ++k) {
      std::vector<event> one{alone[k]};
      edgelog::scrub_events(one, edgelog::scrub_options{}, storage);
      INFO(alone[k].ctx, " / ", alone[k].tags);
      CHECK(batch[k].ctx == one[0].ctx);
      CHECK(batch[k].tags == one[0].tags);
      CHECK(batch[k].scrubbed == one[0].scrubbed);
    }
  }
}
