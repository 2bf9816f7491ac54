// The scrubbing pass over typed events.
#include "edgelog/ingest/passes/scrub.h"

#include "detail/distinct_strings.h"
#include "detail/json_rewrite.h"
#include "detail/json_writer.h"

namespace edgelog {
namespace {

// The text with secrets masked (kept in `storage`), or the text itself.
std::string_view scrubbed_text(std::string_view text, event& ev, const scrub_options& options,
                               std::deque<std::string>& storage) {
  if (!may_hold_secrets(text, options)) return text;
  std::string out;
  std::size_t n = scrub_text(text, out, options);
  if (!n) return text;
  ev.scrubbed += n;
  return storage.emplace_back(std::move(out));
}

// Rewrites an ASCII JSON object with values under sensitive keys filtered and secrets in strings
// masked. The reader produced `json`, so it is valid; a failure leaves it as it was.
// `clean` holds the keys and values of earlier events of the batch found clean.
void scrub_json(std::string& json, event& ev, const scrub_options& options, detail::distinct_strings (&clean)[2]) {
  if (json.empty() || !may_need_scrubbing(json, options, &clean[0], &clean[1])) return;
  std::string out;
  out.reserve(json.size());
  detail::json_writer w(out);
  detail::rewrite_extras extras{&options, 0, nullptr};
  if (!detail::rewrite_json(json, w, 64, &extras) || !extras.scrubbed) return;
  ev.scrubbed += extras.scrubbed;
  json = std::move(out);
}

}  // namespace

void scrub_events(std::vector<event>& events, const scrub_options& options,
                  std::deque<std::string>& storage) {
  if (!options.enabled) return;
  detail::distinct_strings clean[2];  // keys, values
  for (event& ev : events) {
    ev.message = scrubbed_text(ev.message, ev, options, storage);
    ev.stack = scrubbed_text(ev.stack, ev, options, storage);
    scrub_json(ev.ctx, ev, options, clean);
    scrub_json(ev.tags, ev, options, clean);
  }
}

}  // namespace edgelog
