// How every reader fills typed events: the rules for each field (required ones, types, trimming,
// limits, timestamps, ctx and tags rewritten to ASCII JSON) in one place. The JSON reader hands
// it the values it finds in edgelog's own event objects; the drop-in readers (Sentry, Logtail,
// OTLP, the seed clients) hand it the values their mappings produce, with no JSON in between.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "edgelog/error.h"
#include "edgelog/event.h"
#include "edgelog/ingest/readers/json.h"

namespace edgelog {

/// A field of edgelog's own event object.
enum class event_field : std::uint8_t {
  unknown, ts, level, message, stack, ctx, tags, source, env, user_id, request_id, session_id,
  release, event_id, source_type, error_type, component, endpoint, fingerprint, stored_fingerprint,
  debug_meta
};

/// The field a key of edgelog's event object names ("_fingerprint" for stored_fingerprint);
/// unknown for any other key.
event_field event_field_of(std::string_view key) noexcept;

/// Why an event was refused: a code and a message, or JSON broken past recovery (which refuses
/// the whole body: On-Demand cannot resynchronize after a syntax error).
struct event_failure {
  errc code = errc::ok;
  std::string message;
  bool broken_json = false;
};

/// Fills one event at a time. Each setter returns false, with failure() set, when the value
/// refuses the event; the reader then stops and reports it.
class event_builder {
 public:
  /// Strings are viewed where they lie when `copy` is false (the JSON reader's body outlives the
  /// batch), else copied into `storage`, repaired to valid UTF-8 first.
  event_builder(const batch_limits& limits, std::int64_t now_ms, std::deque<std::string>& storage,
                bool copy);

  /// Starts filling `ev` (its index set by the caller).
  void start(event& ev);

  bool level_text(std::string_view name);       ///< a level name or synonym
  bool level_number(std::int64_t severity);     ///< an OpenTelemetry severity 1–24
  bool level_not_integer();                     ///< refuses: a number that is no severity
  void level_value(level l);                    ///< a level the reader decided

  bool message(std::string_view text);          ///< required; trimmed; empty refuses

  bool ts_text(std::string_view rfc3339);       ///< RFC 3339
  bool ts_number(double ms);                    ///< epoch milliseconds, 0 ≤ ms < 2^53
  void ts_now();                                ///< null: the receive time

  /// stack, endpoint, _fingerprint and the short fields, each cut to its limit (and trimmed but
  /// the stack).
  void text(event_field field, std::string_view value);

  /// A bundle of a JavaScript stack and its source map's debug ID (up to 32 per event).
  void debug_image(std::string_view code_file, std::string_view debug_id);

  /// ctx or tags as the JSON text of an object (valid UTF-8); false only for text that is not
  /// one JSON value, which counts as broken JSON.
  bool object(event_field field, std::string_view json);

  bool fingerprint_part(std::string_view part);  ///< one string of `fingerprint` (8 at most)

  /// Refuses the event: `field` holds a value of the wrong type (the message says which type).
  bool wrong_type(event_field field);

  /// Ends the event: false when level or message is missing; fills a missing ts and replaces an
  /// implausible one.
  bool finish();

  event_failure& failure() noexcept { return fail_; }
  const batch_limits& limits() const noexcept { return limits_; }

  /// The text a setter keeps: as it is, or (copying) owned, valid UTF-8 and without U+0000.
  std::string_view keep(std::string_view s);

 private:
  bool refuse(errc code, std::string message);
  std::string_view cap(std::string_view s, std::size_t max, std::uint8_t flag);
  void check_plausible_time();

  const batch_limits& limits_;
  std::int64_t now_ms_;
  std::deque<std::string>& storage_;
  bool copy_;
  event* ev_ = nullptr;
  bool have_level_ = false, have_message_ = false, have_ts_ = false;
  event_failure fail_;
};

/// Where a drop-in reader puts its events: counts them against max_events and keeps each in the
/// batch, or its refusal. Use: begin(), the builder's setters, end(). Past max_events the batch is
/// refused; the reader reads on (a broken body still answers as broken) but keeps nothing.
class event_sink {
 public:
  event_sink(batch& out, const batch_limits& limits, std::int64_t now_ms);

  /// Starts the next event; false (the batch refused with too_many_events) past max_events.
  bool begin();
  /// The builder for the event begun; once a setter refused, later ones are not called.
  event_builder& fields() noexcept { return builder_; }
  /// Ends the event begun. `filled` is false when a setter refused; the event is kept otherwise
  /// (and finish() accepts it).
  void end(bool filled);
  /// Refuses the event begun: it was not an object.
  void not_an_object();

  /// Refuses the whole body (a broken envelope, a body that is no record list, …).
  void refuse(errc code) noexcept { out_.error = code; }
  /// The batch filled, for what a format answers with (Sentry's reply id, ignored items, …).
  batch& result() noexcept { return out_; }

  /// Ends the batch: empty_batch when it held no event at all.
  void close();

 private:
  batch& out_;
  const batch_limits& limits_;
  event_builder builder_;
  event current_;
};

}  // namespace edgelog
