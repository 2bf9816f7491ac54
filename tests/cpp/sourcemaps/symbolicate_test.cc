// Symbolication of whole stacks with kept maps: esbuild's bundle and map (fixtures), keys by
// project, release and URL, the cache's budget, and the ingest pipeline rewriting a stack before
// grouping.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgelog/ingest/pipeline.h"
#include "edgelog/sourcemaps/symbolicate.h"
#include "fixtures.h"

#include <nlohmann/json.hpp>

namespace {

using edgelog::errc;
using edgelog::map_cache;
using edgelog::source_map;

using edgelog::test::fixture;
using edgelog::test::fixture_map;

const std::string key = "7:url:1.4.2|~/assets/app.min.js.map";

}  // namespace

TEST_CASE("keys: the project, the release and the URL's path, .map added") {
  CHECK(edgelog::map_key(7, "1.4.2", "https://shop.example.com/assets/app.min.js?v=3#x") == key);
  CHECK(edgelog::map_key(7, "", "/srv/app/dist/index.js") == "7:url:|~/srv/app/dist/index.js.map");
  CHECK(edgelog::map_key(7, "1", "https://shop.example.com") == "");
  CHECK(edgelog::map_key(7, "1", "native") == "");
  // A deployed Worker's frames name its script relative to the upload.
  CHECK(edgelog::map_key(7, "v9", "index.js") == "7:url:v9|~/index.js.map");
  CHECK(edgelog::map_key(7, "v9", "src/worker.mjs") == "7:url:v9|~/src/worker.mjs.map");
  CHECK(edgelog::map_key(7, "1", "node:internal/process/task_queues") == "");
  CHECK(edgelog::map_key(7, "1", "<anonymous>") == "");
  CHECK(edgelog::map_key(7, "1", "../x.js") == "");
  CHECK(edgelog::map_key(7, "1", "Object.fetch") == "");
}

TEST_CASE("a stack: the map missing first, then its frames rewritten to their sources and functions") {
  map_cache cache;
  std::vector<std::string> missing;
  std::string stack(fixture("app.min.stack.txt"));
  auto none = edgelog::symbolicate_stack(stack, 7, "1.4.2", {}, cache, missing);
  CHECK(none.frames == 0);
  CHECK(none.stack.empty());
  REQUIRE(missing == std::vector<std::string>{key});

  cache.put(key, fixture_map(), std::string(fixture("app.min.js")));
  missing.clear();
  auto done = edgelog::symbolicate_stack(stack, 7, "1.4.2", {}, cache, missing);
  CHECK(missing.empty());
  CHECK(done.frames == 3);
  CHECK(done.stack ==
        "RangeError: card declined: amount too large\n"
        "    at chargeCard (src/payment.js:4:11)\n"
        "    at checkout (src/cart.js:6:10)\n"
        "    at handle (src/index.js:4:18)\n");
  CHECK(done.context_json.find(R"("file":"src/payment.js","line":4)") != std::string::npos);
  CHECK(done.context_json.find("throw new RangeError") != std::string::npos);

  // Another release, another project: not this map.
  missing.clear();
  CHECK(edgelog::symbolicate_stack(stack, 7, "1.4.3", {}, cache, missing).frames == 0);
  CHECK(edgelog::symbolicate_stack(stack, 8, "1.4.2", {}, cache, missing).frames == 0);
  CHECK(missing.size() == 2);
}

TEST_CASE("without the bundle, each function is named by its caller's call, the outermost by its source's text") {
  map_cache cache;
  cache.put(key, fixture_map(), "");
  std::vector<std::string> missing;
  auto done = edgelog::symbolicate_stack(fixture("app.min.stack.txt"), 7, "1.4.2", {}, cache, missing);
  CHECK(done.stack.find("    at chargeCard (src/payment.js:4:11)") != std::string::npos);
  CHECK(done.stack.find("    at checkout (src/cart.js:6:10)") != std::string::npos);
  CHECK(done.stack.find("    at handle (src/index.js:4:18)") != std::string::npos);
  // Without sourcesContent either, the outermost keeps its minified name.
  auto bare = nlohmann::json::parse(fixture("app.min.js.map"));
  bare.erase("sourcesContent");
  errc code;
  std::string why;
  map_cache plain;
  plain.put(key, source_map::parse(bare.dump(), {}, code, why), "");
  auto named = edgelog::symbolicate_stack(fixture("app.min.stack.txt"), 7, "1.4.2", {}, plain, missing);
  CHECK(named.stack.find("    at checkout (src/cart.js:6:10)") != std::string::npos);
  CHECK(named.stack.find("    at d (src/index.js:4:18)") != std::string::npos);
}

TEST_CASE("by debug ID: the event's image for the bundle names the map, whatever the release") {
  map_cache cache;
  std::vector<std::string> missing;
  std::string stack(fixture("app.min.stack.txt"));
  std::vector<std::pair<std::string_view, std::string_view>> images = {
      {"https://shop.example.com/assets/app.min.js", "5B1F3C2A-8D4E-4F6A-9B0C-1D2E3F4A5B6C"}};
  auto none = edgelog::symbolicate_stack(stack, 7, "", images, cache, missing);
  CHECK(none.frames == 0);
  CHECK(missing == std::vector<std::string>{"7:debug:5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c", "7:url:|~/assets/app.min.js.map"});
  cache.put("7:debug:5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c", fixture_map(), std::string(fixture("app.min.js")));
  missing.clear();
  auto done = edgelog::symbolicate_stack(stack, 7, "", images, cache, missing);
  CHECK(missing.empty());
  CHECK(done.frames == 3);
  CHECK(done.stack.find("    at chargeCard (src/payment.js:4:11)") != std::string::npos);
}

TEST_CASE("the cache keeps maps within its budget, the least recently used going first") {
  source_map one = fixture_map();
  std::size_t each = one.memory_bytes() + 64;
  map_cache cache(each * 2 + each / 2);
  cache.put("a", fixture_map(), "");
  cache.put("b", fixture_map(), "");
  REQUIRE(cache.find("a"));  // a is now the most recent
  cache.put("c", fixture_map(), "");
  CHECK(cache.size() == 2);
  CHECK(cache.find("a"));
  CHECK_FALSE(cache.find("b"));
  CHECK(cache.find("c"));
  CHECK(cache.bytes() <= each * 2 + each / 2);
  map_cache tiny(16);
  tiny.put("big", fixture_map(), "");
  CHECK(tiny.size() == 0);  // larger than the whole budget: not kept
}

// One ingest of `events` by a pipeline with the cache, for project 7.
const edgelog::ingest_decision& decide(edgelog::pipeline& p, map_cache& cache, const nlohmann::json& events,
                                      bool symbolicate = true) {
  static std::string padded;
  static edgelog::project_settings settings;
  std::string body = events.dump();
  padded = body + std::string(edgelog::batch_parser::padding, '\0');
  settings.set_retention(72, {});
  edgelog::ingest_context ctx;
  ctx.project = &settings;
  ctx.now_ms = 1'796'663'630'000;
  ctx.unsigned_key = true;
  ctx.maps = &cache;
  ctx.project_id = 7;
  ctx.symbolicate = symbolicate;
  std::string_view view(padded.data(), body.size());
  return p.decide(ctx, view, view);
}

nlohmann::json error_event(const std::string& release, const std::string& stack) {
  return {{"level", "error"}, {"message", "RangeError: card declined: amount too large"}, {"release", release}, {"stack", stack}};
}

TEST_CASE("ingest: a stack rewritten before grouping, the minified one and context lines in ctx.symbolicated") {
  map_cache cache;
  edgelog::pipeline p;
  std::string stack(fixture("app.min.stack.txt"));
  const auto& before = decide(p, cache, nlohmann::json::array({error_event("1.4.2", stack)}));
  REQUIRE(before.status == 202);
  CHECK(before.missing_maps == std::vector<std::string>{key});
  std::string minified_fingerprint = before.enriched[0].group.fingerprint;
  // A project without maps: nothing is looked up.
  edgelog::pipeline q;
  CHECK(decide(q, cache, nlohmann::json::array({error_event("1.4.2", stack)}), false).missing_maps.empty());

  cache.put(key, fixture_map(), std::string(fixture("app.min.js")));
  const auto& after = decide(p, cache, nlohmann::json::array({error_event("1.4.2", stack)}));
  REQUIRE(after.status == 202);
  CHECK(after.missing_maps.empty());
  CHECK(after.events[0].stack.find("    at chargeCard (src/payment.js:4:11)") != std::string_view::npos);
  auto ctx = nlohmann::json::parse(after.events[0].ctx);
  CHECK(ctx["symbolicated"]["frames"] == 3);
  CHECK(ctx["symbolicated"]["minified_stack"] == stack);
  CHECK(ctx["symbolicated"]["context"]["context_line"].get<std::string>().find("throw new RangeError") != std::string::npos);
  CHECK(after.enriched[0].stack.frames[0].function == "chargeCard");
  CHECK(after.enriched[0].group.fingerprint != minified_fingerprint);
}

TEST_CASE("the same bug from two releases minified differently is one issue once their maps are kept") {
  std::string v1(fixture("app.min.stack.txt")), v2(fixture("app.v2.min.stack.txt"));
  REQUIRE(v2.find("    at n (https://shop.example.com/assets/app.v2.min.js:1:173)") != std::string::npos);
  map_cache cache;
  edgelog::pipeline p;
  auto events = nlohmann::json::array({error_event("1.4.2", v1), error_event("1.5.0", v2)});
  const auto& apart = decide(p, cache, events);
  CHECK(apart.issues.size() == 2);  // minified names differ between the builds
  cache.put(key, fixture_map(), std::string(fixture("app.min.js")));
  cache.put("7:url:1.5.0|~/assets/app.v2.min.js.map", fixture_map("app.v2.min.js.map"), std::string(fixture("app.v2.min.js")));
  const auto& together = decide(p, cache, events);
  REQUIRE(together.issues.size() == 1);
  CHECK(together.issues[0].count == 2);
  CHECK(together.events[1].stack.find("    at checkout (src/cart.js:6:10)") != std::string_view::npos);
}

TEST_CASE("edgelog's own events name their bundles' debug IDs in debug_meta as Sentry's do") {
  std::string stack(fixture("app.min.stack.txt"));
  auto event = error_event("", stack);
  event["debug_meta"] = {{"images", nlohmann::json::array({
      {{"type", "other"}, {"code_file", "https://shop.example.com/assets/app.min.js"}, {"debug_id", "00000000-0000-4000-8000-000000000000"}},
      "not an image",
      {{"type", "sourcemap"}, {"code_file", "https://shop.example.com/assets/app.min.js"}, {"debug_id", "5B1F3C2A-8D4E-4F6A-9B0C-1D2E3F4A5B6C"}, {"extra", 1}},
  })}};
  map_cache cache;
  edgelog::pipeline p;
  const auto& before = decide(p, cache, nlohmann::json::array({event}));
  REQUIRE(before.status == 202);
  CHECK(before.missing_maps == std::vector<std::string>{"7:debug:5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c", "7:url:|~/assets/app.min.js.map"});
  cache.put("7:debug:5b1f3c2a-8d4e-4f6a-9b0c-1d2e3f4a5b6c", fixture_map(), std::string(fixture("app.min.js")));
  const auto& after = decide(p, cache, nlohmann::json::array({event}));
  CHECK(after.events[0].stack.find("    at chargeCard (src/payment.js:4:11)") != std::string_view::npos);
  // debug_meta of another shape is passed over; of the wrong type, it refuses the event.
  auto odd = error_event("", stack);
  odd["debug_meta"] = {{"images", "none"}, {"other", {1, 2}}};
  CHECK(decide(p, cache, nlohmann::json::array({odd})).status == 202);
  odd["debug_meta"] = "images";
  const auto& refused = decide(p, cache, nlohmann::json::array({odd, error_event("", stack)}));
  CHECK(refused.rejected.size() == 1);
}

TEST_CASE("a deployed Worker's stack names its script by a relative path: found at the upload's root") {
  std::string stack(fixture("app.min.stack.txt"));
  for (auto at = stack.find("https://shop.example.com/assets/"); at != std::string::npos; at = stack.find("https://shop.example.com/assets/"))
    stack.erase(at, std::string_view("https://shop.example.com/assets/").size());
  REQUIRE(stack.find("(app.min.js:1:") != std::string::npos);
  map_cache cache;
  std::vector<std::string> missing;
  auto none = edgelog::symbolicate_stack(stack, 7, "v9", {}, cache, missing);
  CHECK(none.frames == 0);
  CHECK(missing == std::vector<std::string>{"7:url:v9|~/app.min.js.map"});
  cache.put("7:url:v9|~/app.min.js.map", fixture_map(), std::string(fixture("app.min.js")));
  missing.clear();
  auto done = edgelog::symbolicate_stack(stack, 7, "v9", {}, cache, missing);
  CHECK(done.frames == 3);
  CHECK(done.stack.find("    at chargeCard (src/payment.js:4:11)") != std::string::npos);
}

TEST_CASE("webpack's and Rollup's builds (terser) read back to the same sources, and group with esbuild's as one issue") {
  map_cache cache;
  std::vector<std::string> missing;
  for (const char* name : {"app.webpack", "app.rollup"}) {
    CAPTURE(name);
    std::string stack(fixture(std::string(name) + ".stack.txt"));
    std::string key = "7:url:1.4.2|~/assets/" + std::string(name) + ".js.map";
    cache.put(key, fixture_map(std::string(name) + ".js.map"), std::string(fixture(std::string(name) + ".js")));
    auto done = edgelog::symbolicate_stack(stack, 7, "1.4.2", {}, cache, missing);
    CHECK(missing.empty());
    CHECK(done.frames >= 2);
    // The throw is in chargeCard, whichever function the minifier inlined it into (an anonymous
    // IIFE V8 calls `total` here), and the outermost is handle, whatever its parameter is called.
    CHECK(done.stack.find("    at chargeCard (src/payment.js:4:11)") != std::string::npos);
    CHECK(done.stack.find("(src/cart.js:6:10)") != std::string::npos);
    CHECK(done.context_json.find("throw new RangeError") != std::string::npos);
  }
}

TEST_CASE("one bug built by esbuild and by Rollup (terser) is one issue once both maps are kept") {
  map_cache cache;
  cache.put(key, fixture_map(), std::string(fixture("app.min.js")));
  cache.put("7:url:1.4.3|~/assets/app.rollup.js.map", fixture_map("app.rollup.js.map"), std::string(fixture("app.rollup.js")));
  edgelog::pipeline p;
  auto events = nlohmann::json::array({error_event("1.4.2", std::string(fixture("app.min.stack.txt"))),
                                       error_event("1.4.3", std::string(fixture("app.rollup.stack.txt")))});
  const auto& d = decide(p, cache, events);
  REQUIRE(d.status == 202);
  CHECK(d.issues.size() == 1);
  CHECK(d.events[1].stack.find("    at handle (src/index.js:4:18)") != std::string_view::npos);
}

TEST_CASE("context lines for every in-app frame, when asked for more than the first") {
  map_cache cache;
  cache.put(key, fixture_map(), std::string(fixture("app.min.js")));
  std::vector<std::string> missing;
  auto one = edgelog::symbolicate_stack(fixture("app.min.stack.txt"), 7, "1.4.2", {}, cache, missing);
  CHECK(one.contexts_json.size() == 1);
  auto all = edgelog::symbolicate_stack(fixture("app.min.stack.txt"), 7, "1.4.2", {}, cache, missing, 10);
  REQUIRE(all.contexts_json.size() == 3);
  CHECK(all.context_json == one.context_json);
  auto second = nlohmann::json::parse(all.contexts_json[1]);
  CHECK(second["file"] == "src/cart.js");
  CHECK(second["line"] == 6);
  CHECK(second["context_line"].get<std::string>().find("chargeCard(order)") != std::string::npos);
}
