// A message as its template and the values of the template's placeholders: how segments store
// messages (the template is already a stored field; only the values are written again).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog::detail {

/// The template's text between its placeholders, and what each placeholder is. (A segment's
/// shapes use it too: `integer` then marks number slots, and `paths` names each slot's path.)
struct template_pieces {
  std::vector<std::string_view> literals;  ///< one more than placeholders: before, between, after
  std::vector<bool> integer;               ///< per placeholder: it is <int>
  std::vector<std::uint32_t> paths;
};

/// Splits a template at the placeholders template_message writes (<int>, <email>, …).
void split_template(std::string_view tmpl, template_pieces& out);

/// The values that, put in the template's placeholders in order, give `message` back exactly;
/// false when they cannot (the message is then stored as it is). Views point into `message`.
bool message_values(const template_pieces& tmpl, std::string_view message, std::vector<std::string_view>& out);

/// Whether a value may be stored as a number: ASCII digits without a leading zero, at most 19.
bool canonical_integer(std::string_view value) noexcept;

}  // namespace edgelog::detail
