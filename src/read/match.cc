// The query language's exact match on one stored event (the parts of it a match reads, worked
// out once), the terms to highlight, and the values of fields an aggregation reads.
#include <simdjson.h>

#include <algorithm>

#include "detail/case_fold.h"
#include "detail/json_path.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/read/grammar.h"
#include "read/grammar_text.h"

namespace edgelog {
namespace {

using namespace grammar_text;

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
        text_.assign(1, '{');
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

// The value at a path below ctx or tags, or nothing.
std::optional<simdjson::dom::element> at_path(event_reading& r, const field_ref& f) {
  auto v = r.object(f.from);
  if (!v) return std::nullopt;
  return detail::find_path(*v, f.path);
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

void highlight_at(const query_expr& e, std::uint32_t at, std::vector<std::string>& out) {
  const query_node& n = e[at];
  if (n.what == kind::text) out.push_back(n.term.text);
  if (n.what == kind::and_ || n.what == kind::or_)
    for (auto c : n.children) highlight_at(e, c, out);
}

}  // namespace

void add_parts(const field_ref& field, segment_parts& parts) {
  switch (field.from) {
    case field_ref::source::stored: parts.fields |= 1u << static_cast<unsigned>(field.field); break;
    case field_ref::source::ctx:
    case field_ref::source::tags: {
      if (parts.extra) break;
      std::vector<std::string> path{field.from == field_ref::source::ctx ? "ctx" : "tags"};
      path.insert(path.end(), field.path.begin(), field.path.end());
      if (std::find(parts.extra_paths.begin(), parts.extra_paths.end(), path) == parts.extra_paths.end())
        parts.extra_paths.push_back(std::move(path));
      break;
    }
    default: break;
  }
}

void add_parts(const query_expr& e, segment_parts& parts) {
  for (const query_node& n : e.nodes) {
    if (n.what == kind::text && !n.in_field) {  // free text: message, stack, ctx and tags values
      parts.fields |= 1u << static_cast<unsigned>(stored_field::message) | 1u << static_cast<unsigned>(stored_field::stack);
      parts.extra = true;
    } else if (n.what == kind::text || n.what == kind::has || n.what == kind::field) {
      add_parts(n.field, parts);
    }
  }
}

bool matches(const query_expr& e, const stored_event& ev) {
  if (e.empty()) return true;
  event_reading r(ev);
  return eval(e, e.root, r);
}

void highlight_terms(const query_expr& e, std::vector<std::string>& out) {
  if (!e.empty()) highlight_at(e, e.root, out);
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
