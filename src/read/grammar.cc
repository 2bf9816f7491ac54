// The query language's grammar: a recursive-descent parser into query_expr nodes, with errors
// that name their place; and one field as an aggregation names it. Matching is match.cc's,
// pruning prune.cc's.
#include "edgelog/read/grammar.h"

#include <algorithm>
#include <cmath>

#include "detail/case_fold.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/vocabulary.h"
#include "read/grammar_text.h"

namespace edgelog {
namespace {

using namespace grammar_text;

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
          if (v.number && !std::isfinite(*v.number)) {
            std::string message(1, '"');
            message.append(v.text).append("\" is not a finite number");
            return fail_at(v.start, std::move(message));
          }
          if (compare && !v.number) {
            std::string message(1, '\'');
            message.append(op_text(n.op)).append("' compares numbers and durations (1.5s), not \"").append(v.text).append("\"");
            return fail_at(v.start, std::move(message));
          }
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

}  // namespace

std::optional<query_error> parse_query(std::string_view text, query_expr& out, const grammar_limits& limits) {
  out = query_expr{};
  return parser(text, out, limits).run();
}

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

}  // namespace edgelog
