// Categorization (the concept document's fields) and triage: what kind of event this is, where it
// came from, and what an operator should do about it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "edgelog/event.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/passes/stack.h"

namespace edgelog {

/// What the operator should do: page (alert now), notify (digest), aggregate (look later).
enum class action : std::uint8_t { aggregate, notify, page };
std::string_view action_name(action a) noexcept;

struct categories {
  std::string source_type;  ///< ui, logic or backend
  std::string error_type;   ///< exception, error, or empty for events that are neither
  std::string component;
  std::string endpoint;     ///< "METHOD /path/:id" without the query
  action triage = action::aggregate;
  std::string hint;         ///< root-cause hint code, or empty
};

/// Categorizes an event: explicit fields win; otherwise source_type from ctx.platform, the source
/// name, then frame paths; error_type "exception" when there is an exception type or a stack;
/// component from ctx.logger/ctx.component, else the top in-app frame's module; endpoint from
/// ctx.route, ctx.path or ctx.url with the method, ids and uuids collapsed to :id.
/// Triage: fatal, or error matching one of `page_rules`, pages; error and warn notify. Root-cause
/// hints are set for warn and worse.
categories categorize(const event& ev, const parsed_stack& stack, std::string_view exception_type,
                      const ctx_hints& ctx, const std::vector<rule>& page_rules);

/// "/api/v1/orders/17?x=1" → "/api/v1/orders/:id" (scheme, host, query and fragment dropped).
std::string normalize_path(std::string_view url_or_path);

/// The first root-cause hint that fits the text: deadlock, out_of_memory, disk_full, tls_error,
/// dns_failure, connection_refused, connection_reset, timeout, upstream_rate_limited,
/// upstream_5xx, permission_denied, null_dereference, parse_error; or empty.
std::string_view root_cause_hint(std::string_view text) noexcept;

}  // namespace edgelog
