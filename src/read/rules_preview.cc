// What a project's rules would do to the events it stored last: the dashboard's preview before the
// operator saves fingerprint, page or in-app rules. Each event is regrouped with the proposed rules by the
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

// Counts, per in-app rule, the event's frames it matches and those it decides (as the last rule
// that matches the frame): an event counts once per rule.
void count_in_app_lines(const std::vector<rule>& rules, const std::vector<frame>& frames,
                        std::vector<rule_line_count>& lines) {
  std::vector<bool> matched(rules.size()), decided(rules.size());
  for (const frame& fr : frames) {
    bool first = true;
    for (std::size_t i = rules.size(); i-- > 0;) {
      if (!frame_matches(rules[i], fr)) continue;
      matched[i] = true;
      if (first) decided[i] = true;
      first = false;
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    lines[i].matches += matched[i];
    lines[i].decides += decided[i];
  }
}

}  // namespace

rules_preview preview_rules(std::span<const stored_event* const> events, const rule_texts& current,
                            const rule_texts& proposed) {
  rules_preview out;
  auto current_fp = parse_rules(current.fingerprint);
  auto current_app = parse_in_app_rules(current.in_app);
  auto fp = parse_rules(proposed.fingerprint, &out.problems);
  auto page = parse_rules(proposed.page, &out.problems);
  std::vector<std::string> app_problems;
  auto app = parse_in_app_rules(proposed.in_app, &app_problems);
  for (auto& p : app_problems) out.problems.push_back("in-app " + p);
  for (const rule& r : fp) out.fingerprint_lines.push_back({r.line, 0, 0});
  for (const rule& r : page) out.page_lines.push_back({r.line, 0, 0});
  for (const rule& r : app) out.in_app_lines.push_back({r.line, 0, 0});

  std::unordered_set<std::string> now, after;
  for (const stored_event* s : events) {
    ++out.events;
    event ev = as_event(*s);
    parsed_stack stack = ev.stack.empty() ? parsed_stack{} : parse_stack(ev.stack);
    parsed_stack proposed_stack = stack;
    apply_in_app_rules(current_app, stack.frames);
    apply_in_app_rules(app, proposed_stack.frames);
    count_in_app_lines(app, proposed_stack.frames, out.in_app_lines);
    std::string_view type = (*s)[stored_field::exception_type];
    std::string_view tmpl = (*s)[stored_field::template_];
    std::string_view stored = (*s)[stored_field::fingerprint];
    auto subject = subject_of(ev, type, proposed_stack);

    now.emplace(stored);
    // An event whose stored group the current rules do not reproduce was grouped by its client
    // (a fingerprint array) or before the rules changed: the rules leave it where it is.
    bool rules_decide = group_event(ev, stack, type, tmpl, current_fp).fingerprint == stored;
    after.insert(rules_decide ? group_event(ev, proposed_stack, type, tmpl, fp).fingerprint : std::string(stored));

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
