// The enrichment pass: what the core adds to an event (template, parsed stack, group, categories).
#pragma once

#include <string>
#include <vector>

#include "edgelog/ingest/passes/categorize.h"
#include "edgelog/event.h"
#include "edgelog/ingest/passes/fingerprint.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/passes/stack.h"

namespace edgelog {

/// What the core derives from one event.
struct enrichment {
  std::string message_template;  ///< the message with variable parts as placeholders
  std::string exception_type;    ///< from the stack, else from the message's first line
  parsed_stack stack;            ///< frames, innermost first
  grouping group;                ///< fingerprint and title
  categories cats;               ///< source_type, error_type, component, endpoint, triage, hint
};

/// Enriches one event: templating, stack parsing (frames marked in-app by `in_app_rules` where
/// one matches), grouping (`fingerprint_rules`) and categorization with triage (`page_rules`).
/// `same_stack`, when given, is what this pass made of an earlier event whose stack text is this
/// one's, under the same `in_app_rules`: it is taken rather than parsed again.
enrichment enrich(const event& ev, const std::vector<rule>& fingerprint_rules, const std::vector<rule>& page_rules,
                  const std::vector<rule>& in_app_rules = {}, const parsed_stack* same_stack = nullptr);

}  // namespace edgelog
