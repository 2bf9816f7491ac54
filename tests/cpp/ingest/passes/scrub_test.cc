// The scrubbing pass over typed events.
#include <doctest/doctest.h>

#include <deque>
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
