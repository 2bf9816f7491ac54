// Times the source map reader on a real bundle's map (bench/sourcemaps.mjs builds it with esbuild):
// parsing it once, and symbolicating a 20-frame stack against it (each frame's original position,
// function name and context lines, the map's sources opened before: a cached map); the memory a
// parsed map holds. Natively and as wasm under node.
// Usage: bench_sourcemap MAP BUNDLE [--runs N], or bench_sourcemap - - with stdin holding the map's
// size in bytes on a line, the map, then the bundle (the wasm build reads no files).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "edgelog/sourcemaps/source_map.h"
#include "timing.h"

namespace {

using edgelog::bench::median_ms;

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    std::exit(2);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_sourcemap MAP BUNDLE [--runs N]\n");
    return 2;
  }
  int runs = 30;
  for (int i = 3; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  std::string map_text, bundle_text;
  if (!std::strcmp(argv[1], "-")) {
    std::ostringstream all;
    all << std::cin.rdbuf();
    std::string in = all.str();
    std::size_t nl = in.find('\n');
    std::size_t size = std::strtoul(in.c_str(), nullptr, 10);
    if (nl == std::string::npos || nl + 1 + size > in.size()) return 2;
    map_text = in.substr(nl + 1, size);
    bundle_text = in.substr(nl + 1 + size);
  } else {
    map_text = slurp(argv[1]);
    bundle_text = slurp(argv[2]);
  }
  edgelog::errc code;
  std::string why;
  double parse_ms = median_ms(runs, [&] {
    auto m = edgelog::source_map::parse(map_text, {}, code, why);
    if (code != edgelog::errc::ok) std::exit(3);
  });
  auto map = edgelog::source_map::parse(map_text, {}, code, why);
  if (code != edgelog::errc::ok) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 3;
  }
  // A 20-frame stack as V8 would write it for the bundle: a chain of functions defined as
  // `function NAME(…){…}` where each calls the next by name; every frame but the innermost is at its
  // call of the next one, and names its function as the minified NAME.
  edgelog::line_index bundle(bundle_text);
  const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  struct body { std::size_t open, close; };
  std::map<std::string, body> defs;
  for (std::size_t at = bundle_text.find("function "); at != std::string::npos; at = bundle_text.find("function ", at + 9)) {
    std::size_t n = at + 9, e = n;
    while (e < bundle_text.size() && ident(bundle_text[e])) ++e;
    if (e == n || e >= bundle_text.size() || bundle_text[e] != '(') continue;
    std::size_t open = bundle_text.find('{', e);
    if (open == std::string::npos) continue;
    int depth = 0;
    std::size_t close = open;
    for (; close < bundle_text.size(); ++close) {
      if (bundle_text[close] == '{') ++depth;
      else if (bundle_text[close] == '}' && --depth == 0) break;
    }
    defs.emplace(bundle_text.substr(n, e - n), body{open, close});
  }
  // Calls of defined functions inside a body: {offset of the callee's name, callee}.
  const auto calls_in = [&](const body& b) {
    std::vector<std::pair<std::size_t, std::string>> out;
    for (std::size_t i = b.open; i < b.close; ++i) {
      if (bundle_text[i] != '(' || i == 0 || !ident(bundle_text[i - 1])) continue;
      std::size_t st = i;
      while (st > b.open && ident(bundle_text[st - 1])) --st;
      if (st > 0 && (bundle_text[st - 1] == '.' || bundle_text.compare(st >= 9 ? st - 9 : 0, 9, "function ") == 0)) continue;
      std::string callee = bundle_text.substr(st, i - st);
      if (defs.count(callee)) out.emplace_back(st, callee);
    }
    return out;
  };
  std::vector<std::pair<std::string, std::size_t>> chain;  // outermost first: {function, offset of its call}
  std::vector<std::pair<std::string, std::size_t>> best;
  std::set<std::string> on_chain;
  std::size_t budget = 200000;
  std::function<void(const std::string&)> dive = [&](const std::string& fn) {
    if (best.size() >= 20 || !budget--) return;
    on_chain.insert(fn);
    auto calls = calls_in(defs[fn]);
    if (calls.empty() && chain.size() + 1 > best.size()) {
      best = chain;
      best.emplace_back(fn, defs[fn].open + 1);
    }
    for (const auto& [offset, callee] : calls) {
      if (on_chain.count(callee)) continue;
      chain.emplace_back(fn, offset);
      if (chain.size() + 1 > best.size()) {
        best = chain;
        best.emplace_back(callee, defs[callee].open + 1);
      }
      dive(callee);
      chain.pop_back();
      if (best.size() >= 20) break;
    }
    on_chain.erase(fn);
  };
  for (const auto& [name, b] : defs) {
    if (best.size() >= 20) break;
    dive(name);
  }
  if (best.size() > 20) best.resize(20);
  std::vector<edgelog::generated_frame> frames;
  std::vector<std::string> names;
  for (auto it = best.rbegin(); it != best.rend(); ++it) names.push_back(it->first);
  std::size_t k = 0;
  for (auto it = best.rbegin(); it != best.rend(); ++it, ++k) {
    std::size_t offset = it->second;
    std::uint32_t line = 1, col = 1;
    for (std::size_t i = bundle_text.rfind('\n', offset) == std::string::npos ? 0 : bundle_text.rfind('\n', offset) + 1; i < offset; ++i) ++col;
    for (std::size_t i = 0; i < offset; ++i) line += bundle_text[i] == '\n';
    frames.push_back({line, col, names[k]});
  }
  // The deepest chain of this bundle is shorter than 20: the stack repeats it (as recursion does).
  for (std::size_t i = 0, n = frames.size(); n && frames.size() < 20; ++i) frames.push_back(frames[i % n]);
  std::size_t found = 0, named = 0;
  double stack_ms = median_ms(runs * 10, [&] {
    found = named = 0;
    for (const auto& f : map.symbolicate(frames, bundle)) {
      if (!f.position) continue;
      ++found;
      named += !f.function.empty();
      if (f.position->has_content) (void)map.context(*f.position);
    }
  });
  double lookup_ms = median_ms(runs * 10, [&] {
    for (const auto& f : frames) (void)map.lookup(f.line, f.column);
  });
  double names_ms = median_ms(runs * 10, [&] {
      for (const auto& f : frames) (void)map.function_name(f.line, f.column, f.function, bundle);
  });  // each frame's name by the backward search alone, without the callers' call sites
  nlohmann::json out = {{"map_bytes", map_text.size()},         {"mappings", map.mappings()},
                        {"parse_median_ms", parse_ms},          {"frames", frames.size()},
                        {"lookups_median_ms", lookup_ms},       {"names_median_ms", names_ms},
                        {"frames_mapped", found},               {"frames_named", named},
                        {"stack_median_ms", stack_ms},          {"memory_bytes", map.memory_bytes()},
                        {"memory_20_maps_mib", static_cast<double>(map.memory_bytes()) * 20 / (1 << 20)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
