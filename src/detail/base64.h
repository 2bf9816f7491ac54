// Standard base64 (with padding): how segment bytes travel as D1 TEXT.
#pragma once

#include <string>
#include <string_view>

namespace edgelog::detail {

/// Appends the base64 of `bytes` to `out`.
void base64_encode(std::string_view bytes, std::string& out);

/// Decodes base64 (padding optional, no whitespace) into `out`; false when `text` is not base64.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace edgelog::detail
