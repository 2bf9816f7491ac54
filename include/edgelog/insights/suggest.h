// Suggestions: for a root-cause hint, a short, specific next step derived from the issue's own
// evidence (the distributions of its newest events: where they concentrate, which upstream, which
// release). One rule per hint; the README has the table.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

struct evidence_value {
  std::string value;
  std::uint64_t events = 0;
};

struct issue_evidence {
  std::string hint;
  std::uint64_t sample = 0;  ///< events the distributions were counted over
  /// field → values by events: endpoint, source, env, release, component, and tags as "tag:<key>".
  std::map<std::string, std::vector<evidence_value>, std::less<>> fields;
};

struct suggestion {
  std::string hint;
  std::string text;
};

/// The next step for the evidence's hint, or nothing when the hint has no rule.
std::optional<suggestion> suggest(const issue_evidence& e);


}  // namespace edgelog
