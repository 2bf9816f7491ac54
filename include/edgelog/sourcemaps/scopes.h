// The functions of JavaScript source text and where their bodies are, read from the text itself:
// what names a symbolicated frame when the minifier inlined or renamed its function beyond what
// the map's names tell. Built once per source when a map is parsed; looked up per frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

/// One function body: from its `{` to its `}` (1-based lines and byte columns), the function
/// enclosing it, and its name in the owner's name pool (empty for an anonymous function).
struct function_scope {
  std::uint32_t start_line = 0, start_column = 0, end_line = 0, end_column = 0;
  std::int32_t parent = -1;  ///< the enclosing function's index, -1 at the top level
  std::uint32_t name_offset = 0, name_length = 0;
};

/// The function bodies of `source`, in the order of their opening braces, their names appended to
/// `pool`: `function name(…) {`, methods `name(…) {` (with `async`, `static`, `get`, `set`),
/// `name = function (…) {`, `name = (…) => {`, `key: function (…) {`; the blocks of `if`, `for`,
/// `try`, object literals… are not functions. Strings, comments, template literals and regular
/// expressions are passed over. A heuristic on the text: a name is what the few tokens before the
/// body's brace say.
std::vector<function_scope> function_scopes(std::string_view source, std::string& pool);

/// The name of the innermost function of `scopes` whose body holds 1-based (`line`, `column`):
/// empty when that function is anonymous (a callback), and at the top level.
std::string_view scope_name(const std::vector<function_scope>& scopes, std::string_view pool, std::uint32_t line,
                            std::uint32_t column);

/// The same for a byte offset of `source`, reading its scopes first (for tests and one-off reads).
std::string enclosing_function(std::string_view source, std::size_t offset);

}  // namespace edgelog
