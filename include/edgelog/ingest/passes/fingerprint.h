// Grouping: which issue an event belongs to, and the title.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "edgelog/event.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/passes/stack.h"

namespace edgelog {

struct grouping {
  std::string fingerprint;  ///< 32 hex digits (128 bits)
  std::string title;        ///< "TypeError: Cannot read properties of <…>", at most 200 bytes
  std::string basis;        ///< client, rule, stack, type or template: what decided the group
};

/// Decides the group, in this order: the client's `fingerprint` array (where "{{ default }}"
/// stands for what would have been computed), the first project rule that matches (`-> name`),
/// the exception type with the function and module of the top three in-app frames (never line
/// numbers, so a redeploy does not split an issue), the exception type with the templated value,
/// and last the message template.
grouping group_event(const event& ev, const parsed_stack& stack, std::string_view exception_type,
                     std::string_view message_template, const std::vector<rule>& rules);

}  // namespace edgelog
