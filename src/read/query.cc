// Filters over segments: the read API's parameters and its query text (the grammar's) compiled
// into one read_filter; the query bar's reading; pruning and exact matching.
#include "edgelog/read/query.h"

#include "edgelog/ingest/rules.h"
#include "edgelog/vocabulary.h"

#include <algorithm>

namespace edgelog {
namespace {

grammar_limits grammar_of(const query_limits& q) {
  grammar_limits g;
  g.max_bytes = q.max_query_chars;
  g.max_terms = q.max_query_terms;
  g.max_depth = q.max_query_depth;
  return g;
}

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
  if (auto problem = parse_query(spec.q, f.expr, grammar_of(read_query_limits)))
    return query_problem{"q", problem->message, problem->position};
  out = std::move(f);
  return std::nullopt;
}

namespace {

// The bar's text whole, as q: what a reading falls back to.
filter_spec whole(std::string_view text) {
  filter_spec out;
  out.q = std::string(text);
  while (!out.q.empty() && (out.q.back() == ' ' || out.q.back() == '\t')) out.q.pop_back();
  while (!out.q.empty() && (out.q.front() == ' ' || out.q.front() == '\t')) out.q.erase(0, 1);
  return out;
}

}  // namespace

filter_spec read_query_bar(std::string_view text) {
  filter_spec out;
  query_expr e;
  if (parse_query(text, e, grammar_of(read_query_limits)) || e.empty()) return whole(text);
  const query_node& top = e[e.root];
  std::vector<std::uint32_t> terms = top.what == query_node::kind::and_ ? top.children : std::vector<std::uint32_t>{e.root};
  // A field value the read API's parameters can carry: one exact value of a filterable field.
  auto plain = [&](const query_node& n) -> std::optional<stored_field> {
    bool one = n.what == query_node::kind::field && n.field.from == field_ref::source::stored &&
               n.op == compare_op::eq && n.values.size() == 1 && !n.values[0].wildcard;
    if (!one || !filter_field(stored_field_name(n.field.field))) return std::nullopt;
    return n.field.field;
  };
  for (std::uint32_t t : terms) {
    const query_node& n = e[t];
    if (auto f = plain(n)) {
      std::string name(stored_field_name(*f));
      bool seen = std::any_of(out.equals.begin(), out.equals.end(), [&](const auto& p) { return p.first == name; });
      if (!seen) {
        out.equals.emplace_back(std::move(name), n.values[0].text);
        continue;
      }
    } else if (n.what == query_node::kind::not_) {
      if (auto f = plain(e[n.children[0]])) {
        out.not_equals.emplace_back(std::string(stored_field_name(*f)), e[n.children[0]].values[0].text);
        continue;
      }
    } else if (n.what == query_node::kind::field && n.field.from == field_ref::source::level && n.op == compare_op::eq &&
               out.levels.empty()) {
      for (const auto& v : n.values) out.levels.push_back(std::string(level_name(*v.severity)));
      continue;
    }
    if (!out.q.empty()) out.q.push_back(' ');
    out.q.append(text.substr(n.start, n.end - n.start));
  }
  // The terms kept, cut from their places, must read as they did together (a quote a term's
  // reading looked ahead to may now be missing): else the bar stays whole.
  query_expr again;
  if (!out.q.empty() && parse_query(out.q, again, grammar_of(read_query_limits))) return whole(text);
  return out;
}

std::vector<std::string> highlight_terms(const read_filter& f) {
  std::vector<std::string> out;
  highlight_terms(f.expr, out);
  return out;
}

bool may_match(const read_filter& f, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words, const numeric_ranges& ranges) noexcept {
  if (!(f.levels & levels_present)) return false;
  for (const auto& [field, value] : f.equals)
    if (!fields.may_contain(field_hash(stored_field_name(field), value))) return false;
  return may_match(f.expr, levels_present & f.levels, fields, words, ranges);
}

bool matches(const read_filter& f, const stored_event& ev) {
  if (!(f.levels & (1u << static_cast<unsigned>(ev.severity)))) return false;
  for (const auto& [field, value] : f.equals)
    if (ev[field] != value) return false;
  for (const auto& [field, value] : f.not_equals)
    if (ev[field] == value) return false;
  for (const auto& [field, pattern] : f.globs)
    if (!glob_match(pattern, ev[field])) return false;
  return matches(f.expr, ev);
}

segment_parts parts_of(const read_filter& f) {
  segment_parts parts = segment_parts::none();
  for (const auto* list : {&f.equals, &f.not_equals, &f.globs})
    for (const auto& [field, value] : *list) parts.fields |= 1u << static_cast<unsigned>(field);
  add_parts(f.expr, parts);
  return parts;
}

}  // namespace edgelog
