// Symbolication: frames parsed from a stack's text, looked up in the maps an isolate keeps, and
// written back as V8 frames of their original file, line, column and function.
#include "edgelog/sourcemaps/symbolicate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

namespace edgelog {

void map_cache::put(std::string key, source_map map, std::string bundle) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->key == key) {
      bytes_ -= it->bytes;
      entries_.erase(it);
      break;
    }
  entry e;
  e.key = std::move(key);
  e.map = std::move(map);
  e.bundle = std::move(bundle);
  e.bytes = e.map.memory_bytes() + e.bundle.capacity() + e.key.capacity();
  if (e.bytes > budget_) return;
  entries_.push_front(std::move(e));
  entries_.front().lines = line_index(entries_.front().bundle);
  entries_.front().bytes += entries_.front().lines.lines() * sizeof(std::uint32_t);
  bytes_ += entries_.front().bytes;
  while (bytes_ > budget_ && entries_.size() > 1) {
    bytes_ -= entries_.back().bytes;
    entries_.pop_back();
  }
}

const map_cache::entry* map_cache::find(std::string_view key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->key == key) {
      if (it != entries_.begin()) entries_.splice(entries_.begin(), entries_, it);
      return &entries_.front();
    }
  return nullptr;
}

std::string map_key(std::int64_t project, std::string_view release, std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    auto slash = url.find('/');
    if (slash == std::string_view::npos) return {};
    url = url.substr(slash);
  }
  // A relative path names a script as a deployed Worker's stacks do ("index.js", "src/app.mjs"):
  // the file uploaded at the root of the upload. Other names without a slash are not files
  // ("native", "<anonymous>", "node:internal/…").
  bool relative = !url.empty() && url.front() != '/' && url.find(':') == std::string_view::npos &&
                  url.front() != '<' && url.front() != '.' &&
                  (url.ends_with(".js") || url.ends_with(".mjs") || url.ends_with(".cjs"));
  if (!relative && (url.empty() || url.front() != '/')) return {};
  if (url.back() == '/') return {};
  std::string key = std::to_string(project) + ":url:";
  key.append(release);
  key += relative ? "|~/" : "|~";
  key.append(url);
  key += ".map";
  return key;
}

std::string debug_key(std::int64_t project, std::string_view debug_id) {
  std::string key = std::to_string(project) + ":debug:";
  for (char c : debug_id) key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return key;
}

namespace {

struct parsed_frame {
  std::size_t line_start = 0, line_end = 0;  // the frame's line in the stack text
  std::string_view function, url;
  std::uint32_t line = 0, column = 0;
};

bool number(std::string_view s, std::uint32_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && out > 0;
}

// "url:line:col" → its parts.
bool location(std::string_view loc, parsed_frame& f) {
  auto c2 = loc.rfind(':');
  if (c2 == std::string_view::npos || c2 == 0) return false;
  auto c1 = loc.rfind(':', c2 - 1);
  if (c1 == std::string_view::npos) return false;
  f.url = loc.substr(0, c1);
  return number(loc.substr(c1 + 1, c2 - c1 - 1), f.line) && number(loc.substr(c2 + 1), f.column) && !f.url.empty();
}

// A V8 (`at fn (url:l:c)`, `at url:l:c`) or Firefox/Safari (`fn@url:l:c`) frame line.
std::optional<parsed_frame> frame_of(std::string_view line) {
  std::string_view t = line;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
  parsed_frame f;
  if (t.starts_with("at ")) {
    t.remove_prefix(3);
    if (t.ends_with(')')) {
      auto open = t.rfind(" (");
      if (open == std::string_view::npos) return std::nullopt;
      f.function = t.substr(0, open);
      if (f.function.starts_with("async ")) f.function.remove_prefix(6);
      t = t.substr(open + 2, t.size() - open - 3);
    }
    return location(t, f) ? std::optional(f) : std::nullopt;
  }
  auto at = t.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  f.function = t.substr(0, at);
  return location(t.substr(at + 1), f) ? std::optional(f) : std::nullopt;
}

bool library_path(std::string_view file) {
  return file.find("node_modules/") != std::string_view::npos || file.starts_with("webpack/") ||
         file.find("/webpack/bootstrap") != std::string_view::npos;
}

}  // namespace

symbolicated symbolicate_stack(std::string_view stack, std::int64_t project, std::string_view release,
                               const std::vector<std::pair<std::string_view, std::string_view>>& images, map_cache& cache,
                               std::vector<std::string>& missing, std::size_t contexts) {
  symbolicated out;
  std::vector<parsed_frame> frames;
  std::vector<std::string> keys;
  const auto want = [&](const std::string& key) {
    if (std::find(missing.begin(), missing.end(), key) == missing.end()) missing.push_back(key);
  };
  for (std::size_t pos = 0; pos < stack.size();) {
    std::size_t end = stack.find('\n', pos);
    if (end == std::string_view::npos) end = stack.size();
    if (auto f = frame_of(stack.substr(pos, end - pos))) {
      // The bundle's debug ID first; its release and URL when that map is not kept either.
      std::string key;
      for (const auto& [file, id] : images)
        if (file == f->url) {
          key = debug_key(project, id);
          if (!cache.find(key)) {
            want(key);
            key.clear();
          }
          break;
        }
      if (key.empty()) key = map_key(project, release, f->url);
      if (!key.empty()) {
        f->line_start = pos;
        f->line_end = end;
        frames.push_back(*f);
        keys.push_back(std::move(key));
      }
    }
    pos = end + 1;
  }
  if (frames.empty()) return out;
  // Each map's frames together, in stack order, so a frame's name can come from its caller's call.
  std::vector<std::optional<original_frame>> results(frames.size());
  std::vector<const map_cache::entry*> entries(frames.size(), nullptr);
  std::vector<bool> done(frames.size(), false);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (done[i]) continue;
    const map_cache::entry* e = cache.find(keys[i]);
    if (!e) {
      want(keys[i]);
      for (std::size_t j = i; j < frames.size(); ++j)
        if (keys[j] == keys[i]) done[j] = true;
      continue;
    }
    std::vector<std::size_t> mine;
    std::vector<generated_frame> generated;
    for (std::size_t j = i; j < frames.size(); ++j)
      if (keys[j] == keys[i]) {
        mine.push_back(j);
        generated.push_back({frames[j].line, frames[j].column, frames[j].function});
        done[j] = true;
      }
    auto original = e->map.symbolicate(generated, e->lines);
    // Without the bundle, a caller's call site still names the function it entered.
    if (e->bundle.empty())
      for (std::size_t k = 0; k + 1 < original.size(); ++k)
        if (original[k].function.empty() && !original[k].anonymous && original[k + 1].position &&
            !original[k + 1].position->name.empty())
          original[k].function = original[k + 1].position->name;
    for (std::size_t k = 0; k < mine.size(); ++k) {
      results[mine[k]] = original[k];
      entries[mine[k]] = e;
    }
  }
  std::string text;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (!results[i] || !results[i]->position) continue;
    const original_position& p = *results[i]->position;
    // An anonymous function or top-level code is written as V8 writes it: no name.
    std::string_view function = !results[i]->function.empty() ? std::string_view(results[i]->function)
                                : results[i]->anonymous   ? std::string_view()
                                                          : frames[i].function;
    text.append(stack.substr(copied, frames[i].line_start - copied));
    text += "    at ";
    if (!function.empty()) {
      text.append(function);
      text += " (";
    }
    text.append(p.file);
    text += ':' + std::to_string(p.line) + ':' + std::to_string(p.column);
    if (!function.empty()) text += ')';
    copied = frames[i].line_end;
    ++out.frames;
    if (out.contexts_json.size() < contexts && p.has_content && !p.ignored && !library_path(p.file)) {
      source_context c = entries[i]->map.context(p);
      nlohmann::json j = {{"file", p.file}, {"line", p.line}, {"pre", c.pre}, {"context_line", c.line}, {"post", c.post}};
      out.contexts_json.push_back(j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
      if (out.context_json.empty()) out.context_json = out.contexts_json.front();
    }
  }
  if (!out.frames) return out;
  text.append(stack.substr(copied));
  out.stack = std::move(text);
  return out;
}

}  // namespace edgelog
