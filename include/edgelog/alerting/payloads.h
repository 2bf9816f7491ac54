// Alert messages per destination: a Discord embed within Discord's limits, a Slack attachment, or
// a generic JSON document for signed webhooks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgelog/alerting/alerts.h"
#include "edgelog/vocabulary.h"

namespace edgelog {

/// Everything a message says about one decision.
struct alert_message {
  std::string project, dashboard_url;  ///< dashboard_url: the base URL, or empty
  const alert_decision* decision = nullptr;
  bool test = false;                   ///< a test message from the admin API
  const storage_facts* storage = nullptr;  ///< the storage alert (no decision)
  /// Kinds whose messages carry buttons to act from the chat (the deployment has that app):
  /// resolve, resolve in the next release, ignore for 1 h / 24 h, mute the rule, open. Each
  /// button names "el:<action>:<project_id>:<fingerprint or rule id>".
  std::vector<destination_kind> actions{};
  std::int64_t project_id = 0;
};

/// The JSON body for a destination: a Discord embed within Discord's limits (content ≤ 2000,
/// title ≤ 256, description ≤ 4096, field value ≤ 1024, ≤ 6000 over the embed), a Slack
/// attachment, or a generic JSON document.
std::string alert_payload(const alert_message& message, destination_kind kind, std::int64_t now_ms);

}  // namespace edgelog
