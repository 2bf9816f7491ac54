// The rule syntax and its matcher: linear-time globbing, no regex.
#include "edgelog/ingest/rules.h"

#include <algorithm>
#include <string>

namespace edgelog {
namespace {

using sv = std::string_view;

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr sv fields[] = {"message", "source", "level", "env", "type", "module", "function", "file", "component",
                         "endpoint"};

bool frame_field(sv f) { return f == "module" || f == "function" || f == "file"; }

sv frame_value(sv field, const frame& fr) { return field == "module" ? sv(fr.module) : field == "function" ? sv(fr.function) : sv(fr.file); }

bool known_field(sv f) {
  for (sv k : fields)
    if (k == f) return true;
  return false;
}

}  // namespace

bool glob_match(std::string_view p, std::string_view t) noexcept {
  std::size_t pi = 0, ti = 0, star = sv::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || lower(p[pi]) == lower(t[ti]))) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != sv::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<rule> parse_rules(std::string_view text, std::vector<std::string>* errors) {
  std::vector<rule> out;
  std::size_t pos = 0;
  int number = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == sv::npos) nl = text.size();
    sv line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    auto fail = [&](const char* why) {
      if (errors) errors->push_back("line " + std::to_string(number) + ": " + why);
    };
    std::size_t i = 0;
    auto skip_ws = [&] { while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i; };
    skip_ws();
    if (i == line.size() || line[i] == '#') continue;
    rule r;
    r.line = number;
    bool ok = true;
    while (i < line.size() && ok) {
      skip_ws();
      if (i == line.size()) break;
      if (line.substr(i, 2) == "->") {
        i += 2;
        skip_ws();
        sv name = line.substr(i);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\r' || name.back() == '\t')) name.remove_suffix(1);
        if (name.empty()) { fail("a name must follow ->"); ok = false; }
        r.name = std::string(name);
        i = line.size();
        break;
      }
      std::size_t colon = line.find(':', i);
      if (colon == sv::npos) { fail("expected field:pattern"); ok = false; break; }
      sv field = line.substr(i, colon - i);
      if (!known_field(field)) { fail("unknown field"); ok = false; break; }
      i = colon + 1;
      std::string pattern;
      if (i < line.size() && line[i] == '"') {
        std::size_t end = line.find('"', i + 1);
        if (end == sv::npos) { fail("unterminated quote"); ok = false; break; }
        pattern = std::string(line.substr(i + 1, end - i - 1));
        i = end + 1;
      } else {
        std::size_t end = i;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
        pattern = std::string(line.substr(i, end - i));
        i = end;
      }
      if (pattern.empty()) { fail("empty pattern"); ok = false; break; }
      r.matchers.push_back({std::string(field), std::move(pattern)});
    }
    if (ok && r.matchers.empty()) { fail("a rule needs at least one matcher"); ok = false; }
    if (ok) out.push_back(std::move(r));
  }
  return out;
}

bool rule_matches(const rule& r, const rule_subject& s) noexcept {
  for (const auto& m : r.matchers) {
    const sv f = m.field;
    bool hit = false;
    if (frame_field(f)) {
      if (s.frames)
        for (const auto& fr : *s.frames)
          if (glob_match(m.pattern, frame_value(f, fr))) { hit = true; break; }
    } else {
      sv value = f == "message" ? s.message : f == "source" ? s.source : f == "level" ? s.level
               : f == "env" ? s.env : f == "type" ? s.type : f == "component" ? s.component : s.endpoint;
      hit = glob_match(m.pattern, value);
    }
    if (!hit) return false;
  }
  return true;
}

const rule* first_match(const std::vector<rule>& rules, const rule_subject& s) noexcept {
  for (const auto& r : rules)
    if (rule_matches(r, s)) return &r;
  return nullptr;
}

std::vector<rule> parse_in_app_rules(std::string_view text, std::vector<std::string>* errors) {
  std::vector<std::string> found;
  std::vector<rule> out;
  for (auto& r : parse_rules(text, errors ? &found : nullptr)) {
    auto fail = [&](const char* why) {
      if (errors) found.push_back("line " + std::to_string(r.line) + ": " + why);
    };
    if (r.name != "+app" && r.name != "-app") {
      fail("an in-app rule ends in -> +app or -> -app");
      continue;
    }
    if (!std::all_of(r.matchers.begin(), r.matchers.end(), [](const matcher& m) { return frame_field(m.field); })) {
      fail("an in-app rule matches frames: module, function or file");
      continue;
    }
    out.push_back(std::move(r));
  }
  if (errors) {
    // In line order, as the text reads.
    std::stable_sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
      return std::stoi(a.substr(5)) < std::stoi(b.substr(5));
    });
    errors->insert(errors->end(), found.begin(), found.end());
  }
  return out;
}

bool frame_matches(const rule& r, const frame& f) noexcept {
  return std::all_of(r.matchers.begin(), r.matchers.end(),
                     [&](const matcher& m) { return frame_field(m.field) && glob_match(m.pattern, frame_value(m.field, f)); });
}

bool apply_in_app_rules(const std::vector<rule>& rules, std::vector<frame>& frames) noexcept {
  bool changed = false;
  for (auto& fr : frames) {
    for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
      if (!frame_matches(*r, fr)) continue;
      bool in_app = r->name == "+app";
      changed = changed || in_app != fr.in_app;
      fr.in_app = in_app;
      break;
    }
  }
  return changed;
}

}  // namespace edgelog
