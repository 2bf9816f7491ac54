// Forwarding bodies: the read API's events as a `_bulk` body or NDJSON (or the export's columns).
#include "edgelog/integrations/forward.h"

#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {

bool parse_forward_format(std::string_view name, forward_format& out) {
  if (name == "bulk") out = forward_format::bulk;
  else if (name == "ndjson") out = forward_format::ndjson;
  else if (name == "columns") out = forward_format::columns;
  else return false;
  return true;
}

std::size_t write_forward_body(const forward_options& options, std::span<const forward_item> items, std::string& body) {
  if (options.format == forward_format::columns) return write_export_columns(items, options.max_bytes, body);
  std::size_t written = 0;
  std::string line, doc;
  for (const auto& item : items) {
    line.clear();
    detail::json_writer w(line);
    if (options.format == forward_format::bulk) {
      w.raw("{\"create\":{\"_index\":");
      w.string(options.index);
      w.raw(",\"_id\":");
      w.string(std::string(item.project) + "-" + std::to_string(item.id));
      w.raw("}}\n");
    }
    doc.clear();
    write_event_json(doc, *item.event, item.id, item.project, item.received_at, item.in_app_rules);
    w.raw("{\"@timestamp\":\"");
    w.raw(format_rfc3339(item.event->ts));
    w.raw("\",");
    w.raw(std::string_view(doc).substr(1));  // the event object without its opening brace
    w.ch('\n');
    if (written > 0 && body.size() + line.size() > options.max_bytes) break;
    body += line;
    ++written;
  }
  return written;
}

}  // namespace edgelog
