// The preview of project rules over stored events: how many issues the proposed fingerprint and
// in-app rules would make of them, how many events each line matches, and what the page rules
// would page.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edgelog/ingest/rules.h"
#include "edgelog/store/segment.h"

namespace edgelog {

struct rule_line_count {
  int line = 0;              ///< the rule's line in its text, from 1
  std::uint32_t matches = 0; ///< events all its matchers match
  std::uint32_t decides = 0; ///< of those, events it is the first match of (what it groups or pages)
};

struct rules_preview {
  std::uint32_t events = 0;
  std::size_t issues_now = 0;    ///< distinct stored fingerprints
  std::size_t issues_after = 0;  ///< distinct fingerprints with the proposed fingerprint rules
  std::uint32_t paged_now = 0, paged_after = 0;  ///< events triaged `page`, stored and proposed
  std::vector<rule_line_count> fingerprint_lines, page_lines;
  /// In-app rules: events with a frame the rule matches, and with a frame it decides (the last
  /// rule matching a frame decides it).
  std::vector<rule_line_count> in_app_lines;
  std::vector<std::string> problems;  ///< "line N: reason" of lines the core would skip
};

/// A project's rules as texts.
struct rule_texts {
  std::string_view fingerprint, page, in_app;
};

/// Regroups and retriages `events` with the proposed rules. `current` are the project's
/// fingerprint and in-app rules now: an event they do not reproduce the stored group of (a client
/// fingerprint, or grouped before the rules changed) keeps its group.
rules_preview preview_rules(std::span<const stored_event* const> events, const rule_texts& current,
                            const rule_texts& proposed);

}  // namespace edgelog
