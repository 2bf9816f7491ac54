// The facts of an outgoing message (an alert, a summary, a test or a digest) and the renderers
// that shape them for Discord and Slack within those services' limits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/json_writer.h"
#include "edgelog/event.h"

namespace edgelog::detail {

/// Cuts `s` to `max` bytes on a UTF-8 boundary, marking the cut with "…".
std::string clip(std::string_view s, std::size_t max);

struct fields {
  std::vector<std::pair<std::string, std::string>> items;
  void add(std::string_view name, std::string_view value) {
    if (!value.empty()) items.emplace_back(std::string(name), std::string(value));
  }
};

struct facts {
  std::string kind;  // alert, summary, test, digest
  std::string headline, title, description, link;
  level severity = level::error;
  fields list;
  std::string stack;
  bool plain = false;  ///< the description is prose (a digest), not a message to quote as code
  /// Buttons, when the message carries them: "el:<action>:<project id>:<target>" per button.
  struct button {
    std::string label, ref, style;  ///< style: primary, danger or empty
  };
  std::vector<button> buttons;
};

/// A Discord webhook body: content ≤ 2000, one embed within Discord's limits.
std::string discord(const facts& f, std::int64_t now_ms);
/// A Slack incoming-webhook body: text and one attachment.
std::string slack(const facts& f, std::int64_t now_ms);
/// The end every generic webhook body shares: ,"url" (when linked),"sent_at"}.
void close_webhook(json_writer& w, const facts& f, std::int64_t now_ms);

}  // namespace edgelog::detail
