// The Sentry reader: envelopes (POST /api/<id>/envelope/) and legacy store bodies
// (POST /api/<id>/store/) into typed events, through the event builder's rules like any other
// batch. See docs/formats.md for the field mapping.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "edgelog/ingest/readers/event_builder.h"

namespace edgelog {

/// Reads Sentry bodies; reuse one per isolate.
class sentry_reader {
 public:
  sentry_reader();
  ~sentry_reader();
  sentry_reader(const sentry_reader&) = delete;
  sentry_reader& operator=(const sentry_reader&) = delete;

  /// An envelope: a header line, then items (a header line and a payload of `length` bytes, or
  /// up to the next newline when no length is given). `event` and `log` items become events;
  /// the others are counted in the batch's ignored_items. The batch's reply_id is the envelope's
  /// event_id. A broken envelope refuses the body with invalid_envelope.
  void envelope(std::string_view body, event_sink& out);

  /// A single event object, as the legacy store endpoint receives it (invalid_json or
  /// invalid_body when it is none).
  void store(std::string_view body, event_sink& out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgelog
