// Tickets: what a GitHub or Jira Cloud issue created from an edgelog issue says — its title, a
// body with the template, counts, the root-cause hint and its next step, where the events come
// from, the latest stack and a link back — and the marker that finds it again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgelog {

enum class ticket_tracker { github, jira };

struct ticket_issue {
  std::string fingerprint, title, template_text, level, status, hint;
  std::int64_t count = 0, first_seen = 0, last_seen = 0;
};

struct ticket_input {
  ticket_tracker tracker = ticket_tracker::github;
  std::string project, dashboard_url;
  std::string jira_project, jira_issue_type = "Bug";  ///< Jira only
  ticket_issue issue;
  std::string stack, message, env, release;  ///< of the latest event, when known
  std::string suggestion;                     ///< the core's next step for the hint, when any
  /// Where the events come from: (field, [(value, events)]) in the order to show, and how many
  /// events the shares were counted over.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::int64_t>>>> shares;
  std::int64_t sample = 0;
};

/// "edgelog:<fingerprint>" (GitHub: in the body; Jira: the label "edgelog-<fingerprint>").
std::string ticket_marker(std::string_view fingerprint);

/// "edgelog-<fingerprint>": the Jira label that finds the ticket again.
std::string ticket_label(std::string_view fingerprint);

/// The JSON request body for the tracker's create-issue call (GitHub REST "create an issue";
/// Jira Cloud REST v2 "create issue").
std::string ticket_body(const ticket_input& in);


}  // namespace edgelog
