// The open-data export's input: stored events as one JSON object of columns (an array per column,
// the events in order), which the Worker hands to its Parquet writer as they are.
#include <simdjson.h>

#include <array>
#include <string>
#include <vector>

#include "detail/json_writer.h"
#include "edgelog/integrations/forward.h"

namespace edgelog {
namespace {

constexpr std::array<std::string_view, 4> leading = {"id", "ts", "received_at", "level"};
constexpr std::array<std::string_view, 3> trailing = {"ctx", "tags", "extra"};
constexpr std::size_t column_count = leading.size() + stored_field_count + trailing.size();

std::string_view column_name(std::size_t i) {
  if (i < leading.size()) return leading[i];
  i -= leading.size();
  if (i < stored_field_count) return stored_field_name(static_cast<stored_field>(i));
  return trailing[i - stored_field_count];
}

// ctx and tags as JSON text, and the other extra members (truncated, ts_original, …) as one object.
struct extra_parts {
  std::string ctx, tags, rest;
};

extra_parts split_extra(std::string_view extra, simdjson::dom::parser& parser, std::string& scratch) {
  extra_parts out;
  if (extra.empty()) return out;
  scratch.clear();
  scratch.push_back('{');
  scratch.append(extra);
  scratch.push_back('}');
  simdjson::dom::object members;
  if (parser.parse(scratch).get_object().get(members) != simdjson::SUCCESS) {
    out.rest = scratch;  // the core wrote it; should it not read, nothing is dropped
    return out;
  }
  for (auto field : members) {
    if (field.key == "ctx") {
      out.ctx = simdjson::minify(field.value);
    } else if (field.key == "tags") {
      out.tags = simdjson::minify(field.value);
    } else {
      out.rest.push_back(out.rest.empty() ? '{' : ',');
      detail::json_writer(out.rest).string(field.key);
      out.rest.push_back(':');
      out.rest += simdjson::minify(field.value);
    }
  }
  if (!out.rest.empty()) out.rest.push_back('}');
  return out;
}

}  // namespace

std::size_t write_export_columns(std::span<const forward_item> items, std::size_t max_bytes, std::string& body) {
  std::vector<std::string> columns(column_count);
  std::array<std::string, column_count> cell;
  simdjson::dom::parser parser;
  std::string scratch;
  std::size_t total = 0, written = 0;
  for (const auto& item : items) {
    const stored_event& ev = *item.event;
    for (auto& c : cell) c.clear();
    detail::json_writer(cell[0]).integer(item.id);
    detail::json_writer(cell[1]).integer(ev.ts);
    detail::json_writer(cell[2]).integer(item.received_at);
    detail::json_writer(cell[3]).string(level_name(ev.severity));
    for (std::size_t f = 0; f < stored_field_count; ++f) {
      std::string_view v = ev.fields[f];
      std::string& out = cell[leading.size() + f];
      if (v.empty()) out = "null";
      else detail::json_writer(out).string(v);
    }
    extra_parts parts = split_extra(ev.extra, parser, scratch);
    const std::string* texts[] = {&parts.ctx, &parts.tags, &parts.rest};
    for (std::size_t t = 0; t < trailing.size(); ++t) {
      std::string& out = cell[leading.size() + stored_field_count + t];
      if (texts[t]->empty()) out = "null";
      else detail::json_writer(out).string(*texts[t]);
    }
    std::size_t size = 0;
    for (const auto& c : cell) size += c.size() + 1;
    if (written > 0 && total + size > max_bytes) break;
    for (std::size_t i = 0; i < column_count; ++i) {
      columns[i].push_back(written ? ',' : '[');
      columns[i] += cell[i];
    }
    total += size;
    ++written;
  }
  body.push_back('{');
  for (std::size_t i = 0; i < column_count; ++i) {
    if (i) body.push_back(',');
    detail::json_writer(body).string(column_name(i));
    body.push_back(':');
    body += written ? columns[i] : "[";
    body.push_back(']');
  }
  body.push_back('}');
  return written;
}

}  // namespace edgelog
