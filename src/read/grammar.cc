// The query language: a recursive-descent parser into query_expr nodes, their pruning by a
// segment's levels and filters, and their exact match on one stored event.
#include "edgelog/read/grammar.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "detail/case_fold.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/timestamp.h"
#include "edgelog/vocabulary.h"

namespace edgelog {
namespace {

using node = query_node;
using kind = query_node::kind;
constexpr std::uint8_t all_levels_mask = 0x3f;
constexpr std::size_t max_path_keys = 16;  // below ctx or tags

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) noexcept { return is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

std::string lower(std::string_view s) { return detail::folded(s); }

// The words of `s`, folded in every script (for_each_token lowercases ASCII only).
std::vector<std::string> tokens_of(std::string_view s) {
  std::vector<std::string> out;
  for_each_token(s, [&](std::string_view t) {
    out.push_back(detail::has_non_ascii(t) ? detail::folded(t) : std::string(t));
  });
  return out;
}

// Appends the words of `s`, folded, to `buffer`, and their spans to `spans`.
void fold_words(std::string_view s, std::string& buffer, std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  for_each_token(s, [&](std::string_view t) {
    std::size_t at = buffer.size();
    if (detail::has_non_ascii(t)) detail::append_folded(t, buffer);
    else buffer.append(t);
    spans.emplace_back(at, buffer.size() - at);
  });
}

std::optional<stored_field> stored_field_named(std::string_view name) {
  for (std::size_t i = 0; i < stored_field_count; ++i)
    if (stored_field_name(static_cast<stored_field>(i)) == name) return static_cast<stored_field>(i);
  return std::nullopt;
}

std::string_view op_text(compare_op op) {
  switch (op) {
    case compare_op::lt: return "<";
    case compare_op::le: return "<=";
    case compare_op::gt: return ">";
    case compare_op::ge: return ">=";
    default: return ":";
  }
}

bool is_equality_field(stored_field f) {
  return std::find(equality_fields.begin(), equality_fields.end(), f) != equality_fields.end();
}

// A number, or a duration in milliseconds (`250ms`, `1.5s`, `2m`, `1h`, `1d`; `us`/`µs`, `ns`).
std::optional<double> number_of(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str()) return std::nullopt;
  std::string_view unit(end);
  static constexpr std::pair<std::string_view, double> units[] = {
      {"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
      {"us", 0.001}, {"\xC2\xB5s", 0.001}, {"ns", 0.000001}};
  for (auto [name, scale] : units)
    if (unit == name) return v * scale;
  return std::nullopt;
}

// A time: RFC 3339, or without seconds or zone (read as UTC), or a date alone (its midnight, UTC).
std::optional<std::int64_t> time_of(std::string_view text) {
  if (auto ms = parse_rfc3339(text)) return ms;
  std::string t(text);
  if (t.size() == 10) t += "T00:00:00";
  else if (t.size() == 16) t += ":00";
  for (const std::string& candidate : {t, t + "Z"})
    if (auto ms = parse_rfc3339(candidate)) return ms;
  return std::nullopt;
}

class parser {
 public:
  parser(std::string_view text, query_expr& out, const grammar_limits& limits)
      : s_(text), out_(out), limits_(limits) {}

  std::optional<query_error> run() {
    if (s_.size() > limits_.max_bytes) {
      fail_at(limits_.max_bytes, "the query is longer than " + std::to_string(limits_.max_bytes) + " bytes");
      return error_;
    }
    auto root = parse_or();
    if (!error_) {
      skip_space();
      if (i_ < s_.size()) fail_at(i_, s_[i_] == ')' ? "unexpected ')'" : "unexpected text");
    }
    if (error_) return error_;
    if (!root) {
      out_.nodes.clear();
      if (!symbols_only_) return std::nullopt;  // blanks: every event
      fail_at(0, "nothing to search for: words are letters and digits, and symbols alone are not");
      return error_;
    }
    out_.root = *root;
    if (out_[out_.root].what == kind::all) out_.nodes.clear();
    return std::nullopt;
  }

 private:
  using maybe = std::optional<std::uint32_t>;

  bool fail_at(std::size_t byte, std::string message) {
    if (!error_) {
      std::size_t at = detail::utf16_units(s_, byte);
      error_ = query_error{at, std::move(message) + " at " + std::to_string(at)};
    }
    return false;
  }

  // Records what is wrong (the first problem wins) and answers "nothing".
  std::nullopt_t stop(std::size_t byte, std::string message) {
    fail_at(byte, std::move(message));
    return std::nullopt;
  }

  void skip_space() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }

  // An operator keyword (upper case, a whole word) at the cursor.
  bool keyword(std::string_view word) const {
    if (s_.substr(i_, word.size()) != word) return false;
    std::size_t after = i_ + word.size();
    return after == s_.size() || is_space(s_[after]) || s_[after] == '(' || (word != "NOT" && s_[after] == ')');
  }

  std::uint32_t add(node n) {
    out_.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }

  std::uint32_t combine(kind k, std::vector<std::uint32_t> items) {
    node n;
    n.what = k;
    n.start = out_[items.front()].start;
    n.end = out_[items.back()].end;
    n.children = std::move(items);
    return add(std::move(n));
  }

  bool count_term(std::size_t at) {
    if (++terms_ <= limits_.max_terms) return true;
    return fail_at(at, "more than " + std::to_string(limits_.max_terms) + " terms");
  }

  maybe parse_or() {
    std::vector<std::uint32_t> items;
    bool any_or = false;
    for (;;) {
      std::size_t at = i_;
      maybe left = parse_and();
      if (error_) return std::nullopt;
      if (left) items.push_back(*left);
      else if (any_or) return stop(at, "nothing after OR");
      skip_space();
      if (!keyword("OR")) break;
      if (!left && !symbols_only_) return stop(i_, "nothing before OR");
      any_or = true;
      i_ += 2;
    }
    if (items.empty()) return std::nullopt;
    return items.size() == 1 ? maybe(items[0]) : maybe(combine(kind::or_, std::move(items)));
  }

  maybe parse_and() {
    std::vector<std::uint32_t> items;
    for (;;) {
      skip_space();
      if (i_ >= s_.size() || s_[i_] == ')' || keyword("OR")) break;
      if (keyword("AND")) {
        std::size_t at = i_;
        if (items.empty() && !symbols_only_) return stop(at, "nothing before AND");
        i_ += 3;
        skip_space();
        if (i_ >= s_.size() || s_[i_] == ')' || keyword("OR") || keyword("AND"))
          return stop(at, "nothing after AND");
        continue;
      }
      maybe item = parse_unary();
      if (error_) return std::nullopt;
      if (item) items.push_back(*item);
    }
    if (items.empty()) return std::nullopt;
    return items.size() == 1 ? maybe(items[0]) : maybe(combine(kind::and_, std::move(items)));
  }

  maybe negate(std::size_t at, maybe child) {
    if (!child) return std::nullopt;
    node n;
    n.what = kind::not_;
    n.start = static_cast<std::uint32_t>(at);
    n.end = out_[*child].end;
    n.children = {*child};
    return add(std::move(n));
  }

  maybe parse_unary() {
    skip_space();
    std::size_t at = i_;
    if (keyword("NOT")) {
      i_ += 3;
      if (!enter(at)) return std::nullopt;
      skip_space();
      if (i_ >= s_.size() || s_[i_] == ')') return stop(at, "nothing after NOT");
      maybe child = parse_unary();
      --depth_;
      return negate(at, child);
    }
    if ((s_[i_] == '-' || s_[i_] == '!') && i_ + 1 < s_.size() && !is_space(s_[i_ + 1]) && s_[i_ + 1] != ')') {
      ++i_;
      if (!enter(at)) return std::nullopt;
      maybe child = parse_unary();
      --depth_;
      return negate(at, child);
    }
    return parse_primary();
  }

  bool enter(std::size_t at) {
    if (++depth_ <= limits_.max_depth) return true;
    return fail_at(at, "more than " + std::to_string(limits_.max_depth) + " levels of parentheses and negations");
  }

  maybe parse_primary() {
    std::size_t at = i_;
    if (s_[i_] == ')') return stop(at, "unexpected ')'");
    if (s_[i_] != '(') return parse_term();
    ++i_;
    if (!enter(at)) return std::nullopt;
    bool symbols_before = symbols_only_;
    maybe inner = parse_or();
    --depth_;
    if (error_) return std::nullopt;
    skip_space();
    if (i_ >= s_.size() || s_[i_] != ')') return stop(at, "a '(' without its ')'");
    ++i_;
    if (!inner) {
      if (symbols_only_ != symbols_before) return std::nullopt;  // (%) holds symbols alone: ignored
      return stop(at, "nothing inside the parentheses");
    }
    out_.nodes[*inner].start = static_cast<std::uint32_t>(at);
    out_.nodes[*inner].end = static_cast<std::uint32_t>(i_);
    return inner;
  }

  // A quoted string at the cursor (`"…"`, with \" and \\), unescaped into `out`.
  bool quoted(std::string& out) {
    std::size_t at = i_++;
    out.clear();
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == '"' || s_[i_ + 1] == '\\')) ++i_;
      out.push_back(s_[i_++]);
    }
    if (i_ >= s_.size()) return fail_at(at, "a '\"' without its closing '\"'");
    ++i_;
    return true;
  }

  // A bare run: up to a blank or a parenthesis (and, in a list, a comma or ']').
  std::string_view bare(bool in_list = false) {
    std::size_t from = i_;
    while (i_ < s_.size() && !is_space(s_[i_]) && s_[i_] != '(' && s_[i_] != ')' &&
           !(in_list && (s_[i_] == ',' || s_[i_] == ']')))
      ++i_;
    return s_.substr(from, i_ - from);
  }

  maybe text_node(std::size_t at, std::string_view written, bool was_quoted, bool prefix, const field_ref* only = nullptr) {
    node n;
    n.what = kind::text;
    n.start = static_cast<std::uint32_t>(at);
    n.end = static_cast<std::uint32_t>(i_);
    std::string_view body = written;
    if (!was_quoted) {
      while (!body.empty() && body.back() == '*') {
        body.remove_suffix(1);
        prefix = true;
      }
      if (body.find('*') != std::string_view::npos) {
        n.term.glob = lower(written);
        prefix = false;
      }
    }
    n.term.text = std::string(body);
    n.term.prefix = prefix;
    if (n.term.glob.empty()) n.term.tokens = tokens_of(body);
    if (n.term.glob.empty() && n.term.tokens.empty()) {
      if (!was_quoted && written.find_first_not_of('*') == std::string_view::npos && !only) {
        node all;
        all.what = kind::all;
        all.start = n.start;
        all.end = n.end;
        return add(std::move(all));
      }
      symbols_only_ = true;
      return std::nullopt;
    }
    if (only) {
      n.field = *only;
      n.in_field = true;
    }
    if (!count_term(at)) return std::nullopt;
    return add(std::move(n));
  }

  // A quoted phrase at the cursor, `"…"` or `"…"*` (the last word a prefix), as a text term.
  maybe phrase_term(const field_ref* only = nullptr) {
    std::size_t at = i_;
    std::string phrase;
    if (!quoted(phrase)) return std::nullopt;
    bool prefix = i_ < s_.size() && s_[i_] == '*';
    if (prefix) ++i_;
    return text_node(at, phrase, true, prefix, only);
  }

  maybe parse_term() {
    std::size_t at = i_;
    if (s_[i_] == '"') return phrase_term();
    // name(.name | ."quoted")* ':' starts a field term when the name is a field.
    if (is_alpha(s_[i_])) {
      std::size_t save = i_;
      std::vector<std::string> path;
      bool ok = read_path(path);
      if (error_) return std::nullopt;
      // Not a field term: `error: timeout` (nothing right after the colon), `https://…`.
      bool value_follows = i_ + 1 < s_.size() && !is_space(s_[i_ + 1]) && s_[i_ + 1] != ')';
      if (ok && i_ < s_.size() && s_[i_] == ':' && value_follows && s_.substr(i_ + 1, 2) != "//") {
        ++i_;
        return field_term(at, std::move(path));
      }
      i_ = save;
    }
    std::string_view word = bare();
    return text_node(at, word, false, false);
  }

  // name(.name | ."quoted")* at the cursor into `path`: false when a step has no name (the cursor
  // where it should be) or when a quoted key is left open (then error_ says so).
  bool read_path(std::vector<std::string>& path) {
    for (;;) {
      if (i_ < s_.size() && s_[i_] == '"' && !path.empty()) {
        std::string key;
        if (!quoted(key)) return false;
        path.push_back(std::move(key));
      } else {
        std::size_t from = i_;
        while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
        if (i_ == from) return false;
        path.emplace_back(s_.substr(from, i_ - from));
      }
      if (i_ >= s_.size() || s_[i_] != '.') return true;
      ++i_;
    }
  }

  // What a field term names: a stored field, level, ts, message/stack text, or ctx./tags. paths.
  std::optional<field_ref> field_named(std::size_t at, std::vector<std::string> path, bool& text_field) {
    field_ref f;
    std::string head = path.front();
    for (std::size_t k = 0; k < path.size(); ++k) {
      if (k) f.written += '.';
      f.written += path[k];
    }
    text_field = false;
    if (head == "ctx" || head == "tags") {
      if (path.size() < 2) return stop(at, "name a key below " + head + ": " + head + ".<key>");
      if (path.size() > max_path_keys + 1) return stop(at, "a path of more than " + std::to_string(max_path_keys) + " keys");
      f.from = head == "ctx" ? field_ref::source::ctx : field_ref::source::tags;
      f.path.assign(path.begin() + 1, path.end());
      return f;
    }
    if (path.size() == 1) {
      if (head == "level" || head == "ts") {
        f.from = head == "level" ? field_ref::source::level : field_ref::source::ts;
        return f;
      }
      if (auto sf = stored_field_named(head)) {
        f.field = *sf;
        text_field = *sf == stored_field::message || *sf == stored_field::stack;
        return f;
      }
    }
    std::string fields;
    for (stored_field sf : equality_fields) fields += std::string(stored_field_name(sf)) + ", ";
    return stop(at, "unknown field \"" + f.written + "\": fields are level, ts, message, stack, " + fields +
                           "ctx.<key> and tags.<key>");
  }

  bool read_value(query_value& v, bool in_list) {
    std::size_t at = i_;
    v.start = static_cast<std::uint32_t>(at);
    if (i_ < s_.size() && s_[i_] == '"') {
      if (!quoted(v.text)) return false;
    } else {
      std::string_view b = bare(in_list);
      v.text = std::string(b);
      v.wildcard = b.find('*') != std::string_view::npos;
    }
    if (v.text.empty()) return fail_at(at, "a value is missing");
    if (v.text.size() > read_query_limits.max_value_chars)
      return fail_at(at, "a value longer than " + std::to_string(read_query_limits.max_value_chars) + " characters");
    return true;
  }

  maybe field_term(std::size_t at, std::vector<std::string> path) {
    if (path.size() == 1 && path[0] == "has") return has_term(at);
    bool text_field = false;
    auto f = field_named(at, std::move(path), text_field);
    if (!f) return std::nullopt;
    if (i_ >= s_.size() || is_space(s_[i_]) || s_[i_] == ')')
      return stop(at, "a value after '" + f->written + ":'");
    if (text_field) {  // message:word, stack:"a phrase"*
      std::size_t vat = i_;
      maybe t = s_[i_] == '"' ? phrase_term(&*f) : text_node(vat, bare(), false, false, &*f);
      if (!t && !error_) return stop(vat, "no words to look for in " + f->written);
      if (t) out_.nodes[*t].start = static_cast<std::uint32_t>(at);
      return t;
    }
    node n;
    n.what = kind::field;
    n.start = static_cast<std::uint32_t>(at);
    n.field = *f;
    std::size_t op_at = i_;
    if (s_.substr(i_, 2) == ">=") n.op = compare_op::ge, i_ += 2;
    else if (s_.substr(i_, 2) == "<=") n.op = compare_op::le, i_ += 2;
    else if (s_[i_] == '>') n.op = compare_op::gt, ++i_;
    else if (s_[i_] == '<') n.op = compare_op::lt, ++i_;
    if (n.op == compare_op::eq && s_[i_] == '[') {
      ++i_;
      for (;;) {
        skip_space();
        query_value v;
        if (i_ >= s_.size()) return stop(op_at, "a '[' without its ']'");
        if (!read_value(v, true)) return std::nullopt;
        n.values.push_back(std::move(v));
        skip_space();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ']') {
          ++i_;
          break;
        }
        return stop(op_at, "a '[' without its ']'");
      }
    } else {
      query_value v;
      if (i_ >= s_.size() || is_space(s_[i_]) || s_[i_] == ')')
        return stop(op_at, "a value after '" + std::string(s_.substr(op_at, i_ - op_at)) + "'");
      if (!read_value(v, false)) return std::nullopt;
      n.values.push_back(std::move(v));
    }
    n.end = static_cast<std::uint32_t>(i_);
    if (!typed(n, op_at) || !count_term(at)) return std::nullopt;
    return add(std::move(n));
  }

  // Reads each value as its field compares it, refusing what the field cannot compare.
  bool typed(node& n, std::size_t op_at) {
    const std::string& name = n.field.written;
    bool compare = n.op != compare_op::eq;
    for (auto& v : n.values) {
      switch (n.field.from) {
        case field_ref::source::level:
          v.severity = parse_level(v.text);
          if (!v.severity) return fail_at(v.start, "unknown level \"" + v.text + "\"");
          break;
        case field_ref::source::ts:
          if (!compare) return fail_at(op_at, "ts takes a comparison: ts:>2026-12-06T10:00, ts:<=2026-12-06");
          v.time = time_of(v.text);
          if (!v.time) {
            auto number = number_of(v.text);
            if (number && std::isfinite(*number) && v.text.find_first_not_of("0123456789") == std::string::npos)
              v.time = static_cast<std::int64_t>(*number);
          }
          if (!v.time) return fail_at(v.start, "\"" + v.text + "\" is not a time (2026-12-06T10:00, or epoch milliseconds)");
          break;
        case field_ref::source::stored:
          if (compare) return fail_at(op_at, name + " compares by value only");
          if (n.field.field == stored_field::fingerprint && !v.wildcard) {
            bool hex = v.text.size() == 32 &&
                       v.text.find_first_not_of("0123456789abcdef") == std::string::npos;
            if (!hex) return fail_at(v.start, "fingerprint must be 32 lowercase hex digits");
          }
          break;
        case field_ref::source::ctx:
        case field_ref::source::tags:
          if (!v.wildcard) v.number = number_of(v.text);
          if (v.number && !std::isfinite(*v.number)) return fail_at(v.start, "\"" + v.text + "\" is not a finite number");
          if (compare && !v.number)
            return fail_at(v.start, "'" + std::string(op_text(n.op)) + "' compares numbers and durations (1.5s), not \"" + v.text + "\"");
          break;
      }
    }
    return true;
  }

  maybe has_term(std::size_t at) {
    std::size_t path_at = i_;
    std::vector<std::string> path;
    if (!read_path(path)) return error_ ? std::nullopt : stop(path_at, "has: names a field, ctx.<key> or tags.<key>");
    bool text_field = false;
    auto f = field_named(path_at, std::move(path), text_field);
    if (!f) return std::nullopt;
    node n;
    n.what = kind::has;
    n.start = static_cast<std::uint32_t>(at);
    n.end = static_cast<std::uint32_t>(i_);
    n.field = *f;
    if (!count_term(at)) return std::nullopt;
    return add(std::move(n));
  }

  std::string_view s_;
  std::size_t i_ = 0;
  query_expr& out_;
  const grammar_limits& limits_;
  std::optional<query_error> error_;
  std::size_t terms_ = 0, depth_ = 0;
  bool symbols_only_ = false;  // a term was written that holds no word
};

// ---- matching -------------------------------------------------------------------------------

// The parts of one event a match reads, worked out once and only when asked for.
class event_reading {
 public:
  explicit event_reading(const stored_event& ev) : ev_(ev) {}
  const stored_event& event() const { return ev_; }

  const std::vector<std::string_view>& words(stored_field f) {
    bool stack = f == stored_field::stack;
    auto& w = stack ? stack_words_ : message_words_;
    auto& done = stack ? stack_done_ : message_done_;
    if (!done) {
      done = true;
      auto& buffer = stack ? stack_buffer_ : message_buffer_;
      std::vector<std::pair<std::size_t, std::size_t>> spans;
      fold_words(ev_[f], buffer, spans);
      for (auto [at, n] : spans) w.emplace_back(buffer.data() + at, n);
    }
    return w;
  }

  // ctx or tags as a parsed object, or nothing.
  std::optional<simdjson::dom::element> object(field_ref::source from) {
    if (!extra_done_) {
      extra_done_ = true;
      if (!ev_.extra.empty()) {
        text_.reserve(ev_.extra.size() + 2 + simdjson::SIMDJSON_PADDING);
        text_ = "{";
        text_.append(ev_.extra);
        text_.push_back('}');
        extra_ok_ = !parser().parse(text_.data(), text_.size(), true).get(root_);
      }
    }
    if (!extra_ok_) return std::nullopt;
    simdjson::dom::element out;
    if (root_[from == field_ref::source::ctx ? "ctx" : "tags"].get(out)) return std::nullopt;
    return out;
  }

  // The words of each string value in ctx and tags (at any depth, in arrays too), folded: one
  // list per value, so a phrase never runs from one value into the next.
  const std::vector<std::vector<std::string_view>>& value_words() {
    if (!values_done_) {
      values_done_ = true;
      std::vector<std::pair<std::size_t, std::size_t>> spans;
      std::vector<std::size_t> ends;  // where each value's spans end
      auto walk = [&](auto&& self, simdjson::dom::element v) -> void {
        switch (v.type()) {
          case simdjson::dom::element_type::STRING:
            fold_words(v.get_string().value_unsafe(), values_buffer_, spans);
            ends.push_back(spans.size());
            break;
          case simdjson::dom::element_type::ARRAY: {
            simdjson::dom::array items;
            if (!v.get_array().get(items))
              for (simdjson::dom::element item : items) self(self, item);
            break;
          }
          case simdjson::dom::element_type::OBJECT: {
            simdjson::dom::object fields;
            if (!v.get_object().get(fields))
              for (auto field : fields) self(self, field.value);
            break;
          }
          default: break;
        }
      };
      for (auto from : {field_ref::source::ctx, field_ref::source::tags})
        if (auto o = object(from)) walk(walk, *o);
      std::size_t begin = 0;
      for (std::size_t end : ends) {
        if (end == begin) continue;
        auto& words = value_words_.emplace_back();
        for (std::size_t k = begin; k < end; ++k) words.emplace_back(values_buffer_.data() + spans[k].first, spans[k].second);
        begin = end;
      }
    }
    return value_words_;
  }

 private:
  static simdjson::dom::parser& parser() {
    thread_local simdjson::dom::parser p;
    return p;
  }

  const stored_event& ev_;
  bool message_done_ = false, stack_done_ = false, extra_done_ = false, extra_ok_ = false, values_done_ = false;
  std::string message_buffer_, stack_buffer_, values_buffer_, text_;
  std::vector<std::vector<std::string_view>> value_words_;
  std::vector<std::string_view> message_words_, stack_words_;
  simdjson::dom::element root_;
};

// False when `text` cannot hold the term: an ASCII word of it is nowhere in the text, in any
// case. Spares splitting the text into words for most events a word search passes over. (ctx
// and tags, as ASCII JSON, keep their ASCII letters as they are: the same check holds there.)
bool may_hold(std::string_view text, const text_term& t) {
  if (text.empty()) return false;
  if (!t.glob.empty()) return true;
  auto folds_to = [](char c, char lower_c) { return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) == lower_c; };
  for (const auto& word : t.tokens) {
    if (detail::has_non_ascii(word)) continue;  // folded at match time (and escaped as \uXXXX in ctx)
    if (std::search(text.begin(), text.end(), word.begin(), word.end(), folds_to) == text.end()) return false;
  }
  return true;
}

// True when the words hold the phrase (the last word a prefix when asked).
bool phrase_in(const std::vector<std::string_view>& words, const text_term& t) {
  if (!t.glob.empty()) {
    for (auto w : words)
      if (glob_match(t.glob, w)) return true;
    return false;
  }
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

template <typename T>
bool compare(compare_op op, T have, T want) {
  switch (op) {
    case compare_op::eq: return have == want;
    case compare_op::lt: return have < want;
    case compare_op::le: return have <= want;
    case compare_op::gt: return have > want;
    case compare_op::ge: return have >= want;
  }
  return false;
}

// One JSON value of ctx or tags against a field term.
bool value_matches(const query_node& n, simdjson::dom::element v) {
  using simdjson::dom::element_type;
  if (simdjson::dom::array items; !v.get_array().get(items)) {
    for (simdjson::dom::element item : items)
      if (value_matches(n, item)) return true;
    return false;
  }
  std::optional<double> number;
  std::string_view text;
  std::string scratch;
  switch (v.type()) {
    case element_type::STRING:
      text = v.get_string().value_unsafe();
      if (n.op != compare_op::eq) number = number_of(text);
      break;
    case element_type::INT64: number = static_cast<double>(v.get_int64().value_unsafe()); break;
    case element_type::UINT64: number = static_cast<double>(v.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: number = v.get_double().value_unsafe(); break;
    case element_type::BOOL: text = v.get_bool().value_unsafe() ? "true" : "false"; break;
    case element_type::NULL_VALUE: text = "null"; break;
    default: return false;  // an object
  }
  if (number && (v.type() != element_type::STRING)) {
    scratch = simdjson::minify(v);
    text = scratch;
  }
  for (const auto& want : n.values) {
    if (n.op != compare_op::eq) {
      if (number && want.number && compare(n.op, *number, *want.number)) return true;
      continue;
    }
    if (want.wildcard ? glob_match(want.text, text) : text == want.text) return true;
    if (number && want.number && *number == *want.number) return true;
  }
  return false;
}

// The value at path[from…] below `at`: each step takes the longest run of the path's keys that
// is one key there (`tags.peer.service` finds the tag "peer.service", and ctx.order.id the id
// inside ctx.order), or nothing.
std::optional<simdjson::dom::element> find_path(simdjson::dom::element at, const std::vector<std::string>& path,
                                                std::size_t from) {
  simdjson::dom::object obj;
  if (at.get_object().get(obj)) return std::nullopt;
  std::string key;
  for (std::size_t to = path.size(); to > from; --to) {
    key.clear();
    for (std::size_t k = from; k < to; ++k) {
      if (k > from) key += '.';
      key += path[k];
    }
    simdjson::dom::element next;
    if (obj[key].get(next)) continue;
    if (to == path.size()) return next;
    if (auto found = find_path(next, path, to)) return found;
  }
  return std::nullopt;
}

// The value at a path below ctx or tags, or nothing.
std::optional<simdjson::dom::element> at_path(event_reading& r, const field_ref& f) {
  auto v = r.object(f.from);
  if (!v) return std::nullopt;
  return find_path(*v, f.path, 0);
}

bool level_matches(const query_node& n, level l) {
  for (const auto& v : n.values)
    if (v.severity && compare(n.op, static_cast<int>(l), static_cast<int>(*v.severity))) return true;
  return false;
}

bool eval(const query_expr& e, std::uint32_t at, event_reading& r) {
  const query_node& n = e[at];
  const stored_event& ev = r.event();
  switch (n.what) {
    case kind::all: return true;
    case kind::and_:
      for (auto c : n.children)
        if (!eval(e, c, r)) return false;
      return true;
    case kind::or_:
      for (auto c : n.children)
        if (eval(e, c, r)) return true;
      return false;
    case kind::not_: return !eval(e, n.children[0], r);
    case kind::text: {
      auto in = [&](stored_field f) { return may_hold(ev[f], n.term) && phrase_in(r.words(f), n.term); };
      if (n.in_field) return in(n.field.field);
      if (in(stored_field::message) || in(stored_field::stack)) return true;
      if (!may_hold(ev.extra, n.term)) return false;
      for (const auto& words : r.value_words())
        if (phrase_in(words, n.term)) return true;
      return false;
    }
    case kind::has:
      switch (n.field.from) {
        case field_ref::source::stored: return !ev[n.field.field].empty();
        case field_ref::source::level:
        case field_ref::source::ts: return true;
        default: return at_path(r, n.field).has_value();
      }
    case kind::field:
      switch (n.field.from) {
        case field_ref::source::level: return level_matches(n, ev.severity);
        case field_ref::source::ts:
          for (const auto& v : n.values)
            if (v.time && compare(n.op, ev.ts, *v.time)) return true;
          return false;
        case field_ref::source::stored: {
          std::string_view have = ev[n.field.field];
          for (const auto& v : n.values)
            if (v.wildcard ? glob_match(v.text, have) : have == v.text) return true;
          return false;
        }
        default: {
          auto v = at_path(r, n.field);
          return v && value_matches(n, *v);
        }
      }
  }
  return false;
}

// ---- pruning --------------------------------------------------------------------------------

std::uint8_t level_mask(const query_node& n) {
  std::uint8_t mask = 0;
  for (level l : all_levels())
    if (level_matches(n, l)) mask = static_cast<std::uint8_t>(mask | (1u << static_cast<unsigned>(l)));
  return mask;
}

bool is_level(const query_node& n) { return n.what == kind::field && n.field.from == field_ref::source::level; }

bool prunable_value(const query_node& n) {
  return n.what == kind::field && n.field.from == field_ref::source::stored && is_equality_field(n.field.field) &&
         std::none_of(n.values.begin(), n.values.end(), [](const query_value& v) { return v.wildcard; });
}

bool prunable_words(const text_term& t) { return t.glob.empty() && t.tokens.size() > (t.prefix ? 1u : 0u); }

// The ASCII words a ctx or tags value must have in the word filter for an exact match: only a
// value that can match nothing but a string (not a number, duration or literal, not a glob).
std::vector<std::string> value_words_of(const query_value& v) {
  if (v.wildcard || v.number || v.text == "true" || v.text == "false" || v.text == "null") return {};
  std::vector<std::string> out;
  for_each_token(v.text, [&](std::string_view t) {
    if (!detail::has_non_ascii(t)) out.emplace_back(t);
  });
  return out;
}

// A ctx or tags equality every value of which names ASCII words: one the word filter can rule out.
bool prunable_path_value(const query_node& n) {
  if (n.what != kind::field || n.op != compare_op::eq ||
      (n.field.from != field_ref::source::ctx && n.field.from != field_ref::source::tags))
    return false;
  return std::all_of(n.values.begin(), n.values.end(), [](const query_value& v) { return !value_words_of(v).empty(); });
}

bool may(const query_expr& e, std::uint32_t at, std::uint8_t present, const token_filter& fields,
         const token_filter& words) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::and_:
      for (auto c : n.children)
        if (!may(e, c, present, fields, words)) return false;
      return true;
    case kind::or_:
      for (auto c : n.children)
        if (may(e, c, present, fields, words)) return true;
      return false;
    case kind::not_:
      if (is_level(e[n.children[0]])) return (~level_mask(e[n.children[0]]) & present & all_levels_mask) != 0;
      return true;
    case kind::text: {
      if (!prunable_words(n.term)) return true;
      std::size_t exact = n.term.tokens.size() - (n.term.prefix ? 1 : 0);
      // A segment's word filter holds words lowercased in ASCII only: a word with other letters
      // may be there in another case, so it cannot rule the segment out.
      for (std::size_t j = 0; j < exact; ++j)
        if (!detail::has_non_ascii(n.term.tokens[j]) && !words.may_contain(token_hash(n.term.tokens[j]))) return false;
      return true;
    }
    case kind::field:
      if (is_level(n)) return (level_mask(n) & present) != 0;
      if (prunable_path_value(n)) {
        if (!words.covers_values()) return true;  // written before ctx words were kept
        for (const auto& v : n.values) {
          auto needed = value_words_of(v);
          if (std::all_of(needed.begin(), needed.end(), [&](const std::string& w) { return words.may_contain(token_hash(w)); }))
            return true;
        }
        return false;
      }
      if (!prunable_value(n)) return true;
      for (const auto& v : n.values)
        if (fields.may_contain(field_hash(stored_field_name(n.field.field), v.text))) return true;
      return false;
    default: return true;
  }
}

std::uint8_t levels_at(const query_expr& e, std::uint32_t at) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::and_: {
      std::uint8_t m = all_levels_mask;
      for (auto c : n.children) m &= levels_at(e, c);
      return m;
    }
    case kind::or_: {
      std::uint8_t m = 0;
      for (auto c : n.children) m |= levels_at(e, c);
      return m;
    }
    case kind::not_:
      return is_level(e[n.children[0]]) ? static_cast<std::uint8_t>(~level_mask(e[n.children[0]]) & all_levels_mask)
                                        : all_levels_mask;
    case kind::field: return is_level(n) ? level_mask(n) : all_levels_mask;
    default: return all_levels_mask;
  }
}

bool narrows_at(const query_expr& e, std::uint32_t at) noexcept {
  const query_node& n = e[at];
  switch (n.what) {
    case kind::all: return false;
    case kind::and_:
    case kind::or_:
      return std::any_of(n.children.begin(), n.children.end(), [&](std::uint32_t c) { return narrows_at(e, c); });
    case kind::not_: return !is_level(e[n.children[0]]);
    case kind::field: return !is_level(n);
    default: return true;
  }
}

void highlight_at(const query_expr& e, std::uint32_t at, std::vector<std::string>& out) {
  const query_node& n = e[at];
  if (n.what == kind::text) out.push_back(n.term.text);
  if (n.what == kind::and_ || n.what == kind::or_)
    for (auto c : n.children) highlight_at(e, c, out);
}

}  // namespace

std::optional<query_error> parse_query(std::string_view text, query_expr& out, const grammar_limits& limits) {
  out = query_expr{};
  return parser(text, out, limits).run();
}

bool may_match(const query_expr& e, std::uint8_t levels_present, const token_filter& fields,
               const token_filter& words) noexcept {
  return e.empty() || may(e, e.root, levels_present, fields, words);
}

bool matches(const query_expr& e, const stored_event& ev) {
  if (e.empty()) return true;
  event_reading r(ev);
  return eval(e, e.root, r);
}

void highlight_terms(const query_expr& e, std::vector<std::string>& out) {
  if (!e.empty()) highlight_at(e, e.root, out);
}

query_prunes prunes_with(const query_expr& e) noexcept {
  query_prunes p;
  for (const auto& n : e.nodes) {
    p.fields = p.fields || prunable_value(n);
    p.words = p.words || (n.what == kind::text && prunable_words(n.term)) || prunable_path_value(n);
  }
  return p;
}

std::uint8_t levels_of(const query_expr& e) noexcept { return e.empty() ? all_levels_mask : levels_at(e, e.root); }

bool narrows(const query_expr& e) noexcept { return !e.empty() && narrows_at(e, e.root); }

}  // namespace edgelog

namespace edgelog {

std::optional<query_error> parse_field(std::string_view text, field_ref& out) {
  // A field is what `has:` names: parse it as that term, and take the term's field.
  constexpr std::string_view head = "has:";
  std::string as_has(head);
  as_has.append(text);
  query_expr e;
  grammar_limits limits;
  if (auto problem = parse_query(as_has, e, limits)) {
    std::size_t at = problem->position >= head.size() ? problem->position - head.size() : 0;
    std::string message = problem->message.substr(0, problem->message.rfind(" at "));
    return query_error{at, message + " at " + std::to_string(at)};
  }
  if (e.empty() || e[e.root].what != query_node::kind::has)
    return query_error{0, "name one field: endpoint, level, ctx.<key>, tags.<key> at 0"};
  out = e[e.root].field;
  return std::nullopt;
}

void read_fields(const std::vector<field_ref>& fields, const stored_event& ev, std::vector<std::optional<field_value>>& out) {
  out.assign(fields.size(), std::nullopt);
  event_reading r(ev);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const field_ref& f = fields[i];
    field_value v;
    switch (f.from) {
      case field_ref::source::stored: {
        std::string_view have = ev[f.field];
        if (have.empty()) continue;
        v.text = std::string(have);
        v.number = number_of(have);
        break;
      }
      case field_ref::source::level:
        v.text = std::string(level_name(ev.severity));
        v.number = static_cast<double>(ev.severity);
        break;
      case field_ref::source::ts:
        v.text = std::to_string(ev.ts);
        v.number = static_cast<double>(ev.ts);
        break;
      default: {
        auto found = at_path(r, f);
        if (!found) continue;
        using simdjson::dom::element_type;
        switch (found->type()) {
          case element_type::STRING:
            v.text = std::string(found->get_string().value_unsafe());
            v.number = number_of(v.text);
            break;
          case element_type::INT64: v.number = static_cast<double>(found->get_int64().value_unsafe()); break;
          case element_type::UINT64: v.number = static_cast<double>(found->get_uint64().value_unsafe()); break;
          case element_type::DOUBLE: v.number = found->get_double().value_unsafe(); break;
          case element_type::NULL_VALUE: continue;
          default: break;
        }
        if (v.text.empty()) v.text = simdjson::minify(*found);
      }
    }
    out[i] = std::move(v);
  }
}

}  // namespace edgelog
