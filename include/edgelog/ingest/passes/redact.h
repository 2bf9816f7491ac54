// PII scrubbing before storage, modeled on what Sentry does server-side.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

namespace detail {
class distinct_strings;
}

/// A project's scrubbing settings (JSON: {"enabled", "extra_keys", "allow_keys", "patterns",
/// "hash", "mask_emails", "mask_ips"}).
struct scrub_options {
  bool enabled = true;
  std::vector<std::string> extra_keys;  ///< more key words to filter (matched like the defaults)
  std::vector<std::string> allow_keys;  ///< keys never filtered (exact, case-insensitive)
  std::vector<std::string> patterns;    ///< literal substrings masked wherever they appear
  bool hash = false;                    ///< replace values with "[Filtered:<hash>]" instead
  bool mask_emails = false;
  bool mask_ips = false;
};

/// True when values under `key` are filtered: one of its words (split at _ - . and camelCase;
/// adjacent words joined too, so api_key is "apikey") is password, passwd, pwd, secret, token,
/// apikey, auth, authorization, credential(s), cookie, session, privatekey, csrf, xsrf or otp,
/// or an extra key; and it is not allow-listed.
bool is_sensitive_key(std::string_view key, const scrub_options& options);

/// The replacement for a filtered value whose text is `value`.
std::string filtered(std::string_view value, const scrub_options& options);

/// False when `text` cannot hold anything scrub_text would mask (a cheap test, so most strings
/// skip scrubbing entirely).
bool may_hold_secrets(std::string_view text, const scrub_options& options) noexcept;

/// False when scrubbing would change nothing in the JSON text `json` (as the reader writes it): no
/// key can be sensitive and no string value can hold a secret under `options`. One cheap pass,
/// so most ctx objects skip the scrubbing rewrite entirely. With `clean_keys` and `clean_values`,
/// a pass over a batch judges each distinct key and value once: those found clean are kept there
/// and not judged again (so the sets must only ever be used with the same `options`).
bool may_need_scrubbing(std::string_view json, const scrub_options& options,
                        detail::distinct_strings* clean_keys = nullptr, detail::distinct_strings* clean_values = nullptr);

/// Copies `text` to `out` with sensitive substrings masked: values of `key=value` pairs whose key
/// is sensitive (password=…, api_key=…, as in query strings and logfmt), bearer tokens, credit card numbers
/// (13–19 digits, Luhn-checked), IBANs (mod-97 checked), PEM private keys, passwords in URLs
/// (user:pass@), JWTs, the project's literal patterns, and optionally emails and IP addresses.
/// Answers how many values it masked. Text needing nothing is copied unchanged.
std::size_t scrub_text(std::string_view text, std::string& out, const scrub_options& options);

}  // namespace edgelog
