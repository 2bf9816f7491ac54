// The Sentry reader: envelopes (POST /api/<id>/envelope/) and legacy store bodies
// (POST /api/<id>/store/) into edgelog's own event objects, which the JSON reader then validates,
// normalizes and limits like any other batch. See docs/formats.md for the field mapping.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "edgelog/error.h"

namespace edgelog {

/// What a Sentry body becomes: {"events": [...]} in edgelog's own shape, the id to answer with,
/// and how many items were accepted but not stored (transactions, sessions, client reports, …).
struct sentry_transcript {
  errc error = errc::ok;        ///< invalid_envelope / invalid_json when the body is refused
  std::string json;             ///< {"events":[…]}: one object per error event or log record
  std::string reply_id;         ///< the envelope's (or the event's) event_id, answered as {"id"}
  std::size_t ignored_items = 0;
};

/// Reads Sentry bodies; reuse one per isolate.
class sentry_reader {
 public:
  sentry_reader();
  ~sentry_reader();
  sentry_reader(const sentry_reader&) = delete;
  sentry_reader& operator=(const sentry_reader&) = delete;

  /// An envelope: a header line, then items (a header line and a payload of `length` bytes, or
  /// up to the next newline when no length is given). `event` and `log` items become events.
  void envelope(std::string_view body, sentry_transcript& out);

  /// A single event object, as the legacy store endpoint receives it.
  void store(std::string_view body, sentry_transcript& out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgelog
