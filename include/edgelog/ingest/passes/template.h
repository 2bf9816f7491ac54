// Message templating: variable parts become placeholders so that messages group.
#pragma once

#include <string>
#include <string_view>

namespace edgelog {

/// Replaces the variable parts of `message` with placeholders, trying at each token start, in
/// this order: <email>, <url>, <uuid>, <ip> (IPv4 and IPv6), <hash> (32, 40 or 64 hex digits),
/// <hex> (0x… or 16+ hex digits with a digit and a letter), <date> (RFC 3339 / ISO 8601 dates and
/// timestamps, RFC 1123 dates), <host> (dotted names with a known top-level domain), <duration>
/// (120ms, 3s, 1.5h), <ts> (10- or 13-digit epoch numbers), <float>, <int>. A quoted or bare value
/// after `=` is <value> whatever it holds. Templating a template changes nothing. Hand-written
/// scanners; no allocation beyond the output.
/// "Error with order #1231 for bob@x.io" → "Error with order #<int> for <email>".
std::string template_message(std::string_view message);

}  // namespace edgelog
