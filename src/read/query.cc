// Filters over segments: query text, pruning by a segment's header and filters, exact matching.
#include "edgelog/read/query.h"

#include "edgelog/ingest/rules.h"
#include "edgelog/vocabulary.h"

#include <algorithm>

namespace edgelog {
namespace {

constexpr std::size_t max_query_chars = read_query_limits.max_query_chars;
constexpr std::size_t max_terms = read_query_limits.max_query_terms;

std::optional<stored_field> filter_field(std::string_view name) {
  for (stored_field f : equality_fields)
    if (stored_field_name(f) == name) return f;
  return std::nullopt;
}

std::string lowercase_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_fingerprint(std::string_view v) {
  if (v.size() != 32) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool has_word_char(std::string_view s) {
  bool any = false;
  for_each_token(s, [&](std::string_view) { any = true; });
  return any;
}

std::vector<std::string> tokens_of(std::string_view s) {
  std::vector<std::string> out;
  for_each_token(s, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

// True when `tokens` (all but the last exact, the last a prefix when `prefix`) occur in a row.
bool phrase_in(const std::vector<std::string_view>& words, const text_term& t) {
  const auto& want = t.tokens;
  if (want.empty() || words.size() < want.size()) return false;
  for (std::size_t i = 0; i + want.size() <= words.size(); ++i) {
    bool ok = true;
    for (std::size_t j = 0; j < want.size() && ok; ++j) {
      bool last = j + 1 == want.size();
      std::string_view w = words[i + j];
      ok = last && t.prefix ? w.substr(0, want[j].size()) == want[j] : w == want[j];
    }
    if (ok) return true;
  }
  return false;
}

// The words of a text, kept in a buffer the views point into.
void words_of(std::string_view text, std::string& buffer, std::vector<std::string_view>& out) {
  buffer.clear();
  out.clear();
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for_each_token(text, [&](std::string_view t) {
    spans.emplace_back(buffer.size(), t.size());
    buffer.append(t);
  });
  for (auto [at, n] : spans) out.emplace_back(buffer.data() + at, n);
}

}  // namespace

std::optional<query_problem> compile_filter(const filter_spec& spec, read_filter& out) {
  constexpr auto max_value = read_query_limits.max_value_chars;
  constexpr auto max_excluded = read_query_limits.max_excluded_values;
  read_filter f;
  // level=error,fatal (repeatable): the exact names, any case.
  std::uint8_t levels = 0;
  for (const auto& raw : spec.levels) {
    std::string_view rest = raw;
    while (true) {
      auto comma = rest.find(',');
      std::string name = lowercase_trimmed(rest.substr(0, comma));
      if (!name.empty()) {
        bool known = false;
        for (level l : all_levels())
          if (level_name(l) == name) {
            levels = static_cast<std::uint8_t>(levels | (1u << static_cast<unsigned>(l)));
            known = true;
          }
        if (!known) return query_problem{"level", "unknown level \"" + name + "\""};
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  if (levels) f.levels = levels;
  auto named = [&](const std::string& name, const std::string& param) -> std::optional<query_problem> {
    if (!filter_field(name)) return query_problem{param, "\"" + name + "\" is not a field a search can filter on"};
    return std::nullopt;
  };
  for (const auto& [name, value] : spec.equals) {
    if (value.empty()) continue;
    if (auto p = named(name, name)) return p;
    if (value.size() > max_value)
      return query_problem{name, name + " is longer than " + std::to_string(max_value) + " characters"};
    if (name == "fingerprint" && !is_fingerprint(value))
      return query_problem{name, "fingerprint must be 32 lowercase hex digits"};
    f.equals.emplace_back(*filter_field(name), value);
  }
  std::vector<std::string> seen_not;
  for (const auto& [name, value] : spec.not_equals) {
    if (value.empty()) continue;
    std::string param = "not." + name;
    if (auto p = named(name, param)) return p;
    if (std::count(seen_not.begin(), seen_not.end(), name) >= static_cast<long>(max_excluded))
      return query_problem{param, "at most " + std::to_string(max_excluded) + " values of " + param};
    seen_not.push_back(name);
    if (value.size() > max_value)
      return query_problem{param, param + " is longer than " + std::to_string(max_value) + " characters"};
    auto field = *filter_field(name);
    if (std::find(f.not_equals.begin(), f.not_equals.end(), std::pair{field, value}) == f.not_equals.end())
      f.not_equals.emplace_back(field, value);
  }
  for (const auto& [name, pattern] : spec.globs) {
    if (auto p = named(name, name)) return p;
    f.globs.emplace_back(*filter_field(name), pattern);
  }
  if (!spec.q.empty()) {
    bool blank = std::all_of(spec.q.begin(), spec.q.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
    if (!blank)
      if (auto problem = parse_text_query(spec.q, f); !problem.empty()) return query_problem{"q", problem};
  }
  out = std::move(f);
  return std::nullopt;
}

filter_spec read_query_bar(std::string_view text) {
  filter_spec out;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  auto name_char = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  std::size_t i = 0;
  while (i < text.size()) {
    if (space(text[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    bool negative = text[i] == '-';
    std::size_t name_at = start + (negative ? 1 : 0), n = name_at;
    while (n < text.size() && name_char(text[n])) ++n;
    if (n > name_at && n < text.size() && text[n] == ':' && n + 1 < text.size() && !space(text[n + 1])) {
      std::string name(text.substr(name_at, n - name_at));
      std::size_t v = n + 1, end;
      std::string value;
      std::size_t close = text[v] == '"' ? text.find('"', v + 1) : std::string_view::npos;
      if (close != std::string_view::npos) {
        value = std::string(text.substr(v + 1, close - v - 1));
        end = close + 1;
      } else {
        end = v;
        while (end < text.size() && !space(text[end])) ++end;
        value = std::string(text.substr(v, end - v));
      }
      bool field = filter_field(name).has_value();
      if (field && negative) {
        out.not_equals.emplace_back(name, value);
        i = end;
        continue;
      }
      if (!negative && (field || name == "level")) {
        if (name == "level") out.levels = {value};
        else {
          auto it = std::find_if(out.equals.begin(), out.equals.end(), [&](const auto& e) { return e.first == name; });
          if (it == out.equals.end()) out.equals.emplace_back(name, value);
          else it->second = value;
        }
        i = end;
        continue;
      }
    }
    // Anything else is query text, as written: a quoted phrase (with its `*`) or a word.
    std::size_t end = start;
    if (text[start] == '"') {
      std::size_t close = text.find('"', start + 1);
      end = close == std::string_view::npos ? start + 1 : close + 1;
      if (close != std::string_view::npos && end < text.size() && text[end] == '*') ++end;
      if (close == std::string_view::npos)
        while (end < text.size() && !space(text[end])) ++end;
    } else {
      while (end < text.size() && !space(text[end])) ++end;
    }
    if (!out.q.empty()) out.q.push_back(' ');
    out.q.append(text.substr(start, end - start));
    i = end;
  }
  return out;
}

std::vector<std::string> highlight_terms(const read_filter& f) {
  std::vector<std::string> out;
  for (const auto& t : f.include) out.push_back(t.text);
  return out;
}

std::string parse_text_query(std::string_view q, read_filter& f) {
  if (q.size() > max_query_chars) return "q is longer than " + std::to_string(max_query_chars) + " characters";
  std::vector<text_term> include, exclude;
  bool symbols_only = false;  // text was given, but none of it is a word
  std::size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (i < q.size()) {
    if (space(q[i])) {
      ++i;
      continue;
    }
    bool negative = false, prefix = false;
    std::string_view text;
    std::size_t start = i;
    if (q[i] == '-' && i + 1 < q.size() && q[i + 1] == '"') {
      negative = true;
      ++i;
    }
    if (q[i] == '"') {
      std::size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) {
        // An unclosed quote: the JS grammar reads the rest as a bare word without the quote.
        i = i + 1;
        continue;
      }
      text = q.substr(i + 1, close - i - 1);
      i = close + 1;
      if (i < q.size() && q[i] == '*') {
        prefix = true;
        ++i;
      }
    } else {
      i = start;
      if (q[i] == '-') {
        negative = true;
        ++i;
      }
      std::size_t end = i;
      while (end < q.size() && !space(q[end]) && q[end] != '"') ++end;
      text = q.substr(i, end - i);
      i = end;
      while (!text.empty() && text.back() == '*') {
        text.remove_suffix(1);
        prefix = true;
      }
    }
    if (!has_word_char(text)) {
      std::string_view raw = q.substr(start, i - start);  // "*" alone asks for everything
      symbols_only = symbols_only || (!raw.empty() && raw != "*");
      continue;
    }
    std::string shown(text);
    while (!shown.empty() && shown.back() == '*') shown.pop_back();
    (negative ? exclude : include).push_back({tokens_of(text), prefix, std::move(shown)});
  }
  if (include.empty() && exclude.empty() && symbols_only)
    return "q has no letters or digits to search for: words are indexed, symbols alone are not";
  if (include.size() + exclude.size() > max_terms) return "q has more than " + std::to_string(max_terms) + " terms";
  if (include.empty() && !exclude.empty()) return "q needs a term to look for, not only exclusions";
  for (auto& t : include) f.include.push_back(std::move(t));
  for (auto& t : exclude) f.exclude.push_back(std::move(t));
  return {};
}

bool may_match(const read_filter& f, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words) noexcept {
  if (!(f.levels & levels_present)) return false;
  for (const auto& [field, value] : f.equals)
    if (!fields.may_contain(field_hash(stored_field_name(field), value))) return false;
  for (const auto& term : f.include) {
    std::size_t exact = term.tokens.size() - (term.prefix ? 1 : 0);
    for (std::size_t j = 0; j < exact; ++j)
      if (!words.may_contain(token_hash(term.tokens[j]))) return false;
  }
  return true;
}

bool matches(const read_filter& f, const stored_event& ev) {
  if (!(f.levels & (1u << static_cast<unsigned>(ev.severity)))) return false;
  for (const auto& [field, value] : f.equals)
    if (ev[field] != value) return false;
  for (const auto& [field, value] : f.not_equals)
    if (ev[field] == value) return false;
  for (const auto& [field, pattern] : f.globs)
    if (!glob_match(pattern, ev[field])) return false;
  if (f.include.empty() && f.exclude.empty()) return true;
  thread_local std::string mbuf, sbuf;
  thread_local std::vector<std::string_view> mwords, swords;
  words_of(ev[stored_field::message], mbuf, mwords);
  words_of(ev[stored_field::stack], sbuf, swords);
  for (const auto& t : f.include)
    if (!phrase_in(mwords, t) && !phrase_in(swords, t)) return false;
  for (const auto& t : f.exclude)
    if (phrase_in(mwords, t) || phrase_in(swords, t)) return false;
  return true;
}

}  // namespace edgelog
