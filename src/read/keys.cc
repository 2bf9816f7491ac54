// The keys below ctx and tags of one stored event, for facets and the query bar's suggestions.
#include "edgelog/read/keys.h"

#include <simdjson.h>

namespace edgelog {
namespace {

bool plain(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

void append_key(std::string& path, std::string_view key) {
  path.push_back('.');
  if (plain(key)) {
    path.append(key);
    return;
  }
  path.push_back('"');
  for (char c : key) {
    if (c == '"' || c == '\\') path.push_back('\\');
    path.push_back(c);
  }
  path.push_back('"');
}

using key_visitor = std::function<void(std::string_view, std::optional<std::string_view>)>;

struct walker {
  const key_visitor& visit;
  std::size_t calls = 0;
  std::string path;

  void object(simdjson::dom::object fields, std::size_t depth) {
    for (auto field : fields) {
      if (calls >= max_event_keys) return;
      std::size_t mark = path.size();
      append_key(path, field.key);
      ++calls;
      using simdjson::dom::element_type;
      switch (field.value.type()) {
        case element_type::OBJECT: {
          visit(path, std::nullopt);
          simdjson::dom::object inner;
          if (depth + 1 < max_key_depth && !field.value.get_object().get(inner)) object(inner, depth + 1);
          break;
        }
        case element_type::STRING: visit(path, field.value.get_string().value_unsafe()); break;
        case element_type::ARRAY:
        case element_type::NULL_VALUE: visit(path, std::nullopt); break;
        default: {
          std::string text = simdjson::minify(field.value);
          visit(path, std::string_view(text));
        }
      }
      path.resize(mark);
    }
  }
};

}  // namespace

void for_each_key(const stored_event& ev, const key_visitor& visit) {
  if (ev.extra.empty()) return;
  thread_local simdjson::dom::parser parser;
  thread_local std::string text;
  text.clear();
  text.reserve(ev.extra.size() + 2 + simdjson::SIMDJSON_PADDING);
  text.push_back('{');
  text.append(ev.extra);
  text.push_back('}');
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size(), true).get(root)) return;
  walker w{visit, 0, {}};
  for (std::string_view name : {"ctx", "tags"}) {
    simdjson::dom::object obj;
    if (root[name].get_object().get(obj)) continue;
    w.path.assign(name);
    w.object(obj, 0);
  }
}

}  // namespace edgelog
