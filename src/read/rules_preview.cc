// What a project's rules would do to the events it stored last: the dashboard's preview before the
// operator saves fingerprint or page rules. Each event is regrouped with the proposed rules by the
// same group_event and first_match the ingest uses.
#include "edgelog/read/rules_preview.h"

#include <algorithm>
#include <unordered_set>

#include "edgelog/ingest/passes/categorize.h"
#include "edgelog/ingest/passes/fingerprint.h"

namespace edgelog {

namespace {

// The event as the rules see it at ingest, rebuilt from what was stored. Component and endpoint
// are the stored (categorized) ones.
event as_event(const stored_event& s) {
  event ev;
  ev.ts_ms = s.ts;
  ev.severity = s.severity;
  ev.message = s[stored_field::message];
  ev.stack = s[stored_field::stack];
  ev.source = s[stored_field::source];
  ev.env = s[stored_field::env];
  ev.component = s[stored_field::component];
  ev.endpoint = s[stored_field::endpoint];
  return ev;
}

rule_subject subject_of(const event& ev, std::string_view exception_type, const parsed_stack& stack) {
  return {ev.message, ev.source, level_name(ev.severity), ev.env, exception_type, ev.component, ev.endpoint,
          &stack.frames};
}

}  // namespace

rules_preview preview_rules(std::span<const stored_event* const> events, std::string_view current_fingerprint_rules,
                            std::string_view fingerprint_rules, std::string_view page_rules) {
  rules_preview out;
  auto current = parse_rules(current_fingerprint_rules);
  auto fp = parse_rules(fingerprint_rules, &out.problems);
  auto page = parse_rules(page_rules, &out.problems);
  for (const rule& r : fp) out.fingerprint_lines.push_back({r.line, 0, 0});
  for (const rule& r : page) out.page_lines.push_back({r.line, 0, 0});

  std::unordered_set<std::string> now, after;
  for (const stored_event* s : events) {
    ++out.events;
    event ev = as_event(*s);
    parsed_stack stack = ev.stack.empty() ? parsed_stack{} : parse_stack(ev.stack);
    std::string_view type = (*s)[stored_field::exception_type];
    std::string_view tmpl = (*s)[stored_field::template_];
    std::string_view stored = (*s)[stored_field::fingerprint];
    auto subject = subject_of(ev, type, stack);

    now.emplace(stored);
    // An event whose stored group the current rules do not reproduce was grouped by its client
    // (a fingerprint array) or before the rules changed: the rules leave it where it is.
    bool rules_decide = group_event(ev, stack, type, tmpl, current).fingerprint == stored;
    after.insert(rules_decide ? group_event(ev, stack, type, tmpl, fp).fingerprint : std::string(stored));

    bool decided = false;
    for (std::size_t i = 0; i < fp.size(); ++i) {
      if (!rule_matches(fp[i], subject)) continue;
      ++out.fingerprint_lines[i].matches;
      if (!decided && rules_decide) ++out.fingerprint_lines[i].decides;
      decided = true;
    }

    if ((*s)[stored_field::action] == action_name(action::page)) ++out.paged_now;
    if (ev.severity == level::fatal) {
      ++out.paged_after;
    } else if (ev.severity == level::error) {
      bool paged = false;
      for (std::size_t i = 0; i < page.size(); ++i) {
        if (!rule_matches(page[i], subject)) continue;
        ++out.page_lines[i].matches;
        if (!paged) ++out.page_lines[i].decides;
        paged = true;
      }
      if (paged) ++out.paged_after;
    }
  }
  out.issues_now = now.size();
  out.issues_after = after.size();
  return out;
}

}  // namespace edgelog
