// Project rules in a small syntax: `matcher matcher … -> name`, one per line.
//   message:"*timeout*" -> db-timeout
//   type:TypeError module:"src/cart*" -> cart-type-errors
//   level:error env:production message:"*payment*"          (a page rule: no "->")
// Fields: message, source, level, env, type (exception type), module, function and file (any
// frame), component, endpoint. Patterns are case-insensitive globs (* and ?); quote them to use
// spaces.
// In-app rules decide which frames are the application's, frame by frame (the last rule that
// matches a frame decides):
//   module:"com.acme.*" -> +app
//   file:"*/generated/*" -> -app
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "edgelog/ingest/passes/stack.h"

namespace edgelog {

struct matcher {
  std::string field;
  std::string pattern;
};

struct rule {
  std::vector<matcher> matchers;  ///< all must match
  std::string name;               ///< what follows "->", empty for page rules
  int line = 0;                   ///< its line in the text, from 1
};

/// Parses rules; lines that are blank or start with '#' are skipped. Malformed lines are skipped
/// and described in `errors` (line number and reason) when given.
std::vector<rule> parse_rules(std::string_view text, std::vector<std::string>* errors = nullptr);

/// Case-insensitive glob: `*` any run, `?` any one byte.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

/// What rules look at in an event.
struct rule_subject {
  std::string_view message, source, level, env, type, component, endpoint;
  const std::vector<frame>* frames = nullptr;
};

/// Whether all of the rule's matchers match.
bool rule_matches(const rule& r, const rule_subject& subject) noexcept;

/// The first rule whose matchers all match, or nullptr.
const rule* first_match(const std::vector<rule>& rules, const rule_subject& subject) noexcept;

/// Parses in-app rules: matchers on module, function and file only, each rule ending in
/// `-> +app` or `-> -app`. Other lines are skipped and described in `errors`.
std::vector<rule> parse_in_app_rules(std::string_view text, std::vector<std::string>* errors = nullptr);

/// Whether all of an in-app rule's matchers match this one frame.
bool frame_matches(const rule& r, const frame& f) noexcept;

/// Marks each frame in-app or not by the last in-app rule whose matchers all match that frame;
/// frames no rule matches keep the default (is_in_app). Answers whether any frame changed.
bool apply_in_app_rules(const std::vector<rule>& rules, std::vector<frame>& frames) noexcept;

}  // namespace edgelog
