// The function a position of JavaScript source text is in, read from the text itself: what names
// a symbolicated frame when the minifier inlined or renamed its function beyond what the map's
// names tell.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace edgelog {

/// The name of the innermost named function whose body holds `offset` in `source`: `function
/// name(…) {`, a method `name(…) {` (with `async`, `static`, `get`, `set`), `name = function (…) {`,
/// `name = (…) => {` and `key: function (…) {`, the blocks of `if`, `for`, `try`, object literals…
/// passed through. Empty for an anonymous function (a callback), for top-level code, and when no
/// opening brace is found within 64 KiB before the offset. A heuristic on the text: braces inside
/// strings, comments and regular expressions are not told apart.
std::string enclosing_function(std::string_view source, std::size_t offset);

}  // namespace edgelog
