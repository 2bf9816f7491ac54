// The enrichment pass over typed events.
#include "edgelog/ingest/passes/enrich.h"

#include "edgelog/ingest/passes/template.h"

namespace edgelog {

enrichment enrich(const event& ev, const std::vector<rule>& fingerprint_rules, const std::vector<rule>& page_rules,
                  const std::vector<rule>& in_app_rules, const parsed_stack* same_stack) {
  enrichment e;
  e.message_template = template_message(ev.message);
  if (same_stack) {
    e.stack = *same_stack;
  } else if (!ev.stack.empty()) {
    e.stack = parse_stack(ev.stack);
    apply_in_app_rules(in_app_rules, e.stack.frames);
  }
  e.exception_type = !e.stack.exception_type.empty() ? e.stack.exception_type : exception_type_of(ev.message);
  e.group = group_event(ev, e.stack, e.exception_type, e.message_template, fingerprint_rules);
  if (!ev.stored_fingerprint.empty()) e.group.fingerprint = ev.stored_fingerprint;
  e.cats = categorize(ev, e.stack, e.exception_type, ev.hints, page_rules);
  return e;
}

}  // namespace edgelog
