// The enclosing function of a source position, scanning back from it for the brace that opens its
// block and reading the few tokens before that brace.
#include "edgelog/sourcemaps/scopes.h"

#include <array>

namespace edgelog {
namespace {

constexpr std::size_t max_scan = 64 * 1024;

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The text before `end` with trailing spaces skipped: the index one past its last non-space.
std::size_t skip_space(std::string_view s, std::size_t end) {
  while (end > 0 && space(s[end - 1])) --end;
  return end;
}

// The identifier ending at `end` (empty when none), and where it starts.
std::string_view ident_before(std::string_view s, std::size_t end, std::size_t& start) {
  start = end;
  while (start > 0 && ident_char(s[start - 1])) --start;
  return s.substr(start, end - start);
}

// The index of the bracket `open` matching the `close` just before `end` (s[end - 1] == close), or
// npos.
std::size_t matching(std::string_view s, std::size_t end, char open, char close) {
  int depth = 0;
  for (std::size_t i = end; i > 0 && end - i < 4096; --i) {
    char c = s[i - 1];
    if (c == close) ++depth;
    else if (c == open && --depth == 0) return i - 1;
  }
  return std::string_view::npos;
}

bool keyword(std::string_view w) {
  static constexpr std::array<std::string_view, 12> words = {"if", "for", "while", "switch", "catch", "with",
                                                            "return", "typeof", "new", "await", "yield", "do"};
  for (auto k : words)
    if (w == k) return true;
  return false;
}

// The name a function expression starting before `end` is given: `name = `, `name: `, `name ?? `…
// empty when it is anonymous (an argument, an IIFE).
std::string_view assigned_name(std::string_view s, std::size_t end) {
  end = skip_space(s, end);
  std::size_t start;
  if (ident_before(s, end, start) == "async") end = skip_space(s, start);
  if (end == 0) return {};
  char c = s[end - 1];
  bool assigns = c == '=' && !(end >= 2 && (s[end - 2] == '=' || s[end - 2] == '!' || s[end - 2] == '<' || s[end - 2] == '>'));
  if (!assigns && c != ':') return {};
  end = skip_space(s, end - 1);
  if (end > 0 && (s[end - 1] == '"' || s[end - 1] == '\'')) {  // "key": function
    char q = s[end - 1];
    std::size_t open = s.rfind(q, end - 2);
    return open == std::string_view::npos ? std::string_view() : s.substr(open + 1, end - open - 2);
  }
  return ident_before(s, end, start);
}

enum class block { function, anonymous, other };

// What the `{` at `brace` opens, and the function's name when it opens one.
block opened_by(std::string_view s, std::size_t brace, std::string_view& name) {
  std::size_t end = skip_space(s, brace), start;
  if (end >= 2 && s[end - 1] == '>' && s[end - 2] == '=') {  // an arrow function's body
    std::size_t params = skip_space(s, end - 2);
    if (params > 0 && s[params - 1] == ')') {
      std::size_t open = matching(s, params, '(', ')');
      if (open == std::string_view::npos) return block::other;
      params = open;
    } else {
      ident_before(s, params, start);
      params = start;
    }
    name = assigned_name(s, params);
    return name.empty() ? block::anonymous : block::function;
  }
  if (end > 0 && s[end - 1] == ')') {
    std::size_t open = matching(s, end, '(', ')');
    if (open == std::string_view::npos) return block::other;
    std::size_t before = skip_space(s, open);
    if (before > 0 && s[before - 1] == '*') before = skip_space(s, before - 1);  // a generator
    std::string_view id = ident_before(s, before, start);
    if (id.empty()) return block::other;
    if (id == "function") {
      name = assigned_name(s, start);
      return name.empty() ? block::anonymous : block::function;
    }
    if (keyword(id)) return block::other;
    name = id;  // `function name(…) {`, or a method `name(…) {`
    return block::function;
  }
  return block::other;  // else, try, finally, an object literal, a class body, a plain block
}

}  // namespace

std::string enclosing_function(std::string_view source, std::size_t offset) {
  if (offset > source.size()) offset = source.size();
  int depth = 0;
  for (std::size_t i = offset; i > 0 && offset - i < max_scan; --i) {
    char c = source[i - 1];
    if (c == '}') {
      ++depth;
    } else if (c == '{') {
      if (depth > 0) {
        --depth;
        continue;
      }
      std::string_view name;
      switch (opened_by(source, i - 1, name)) {
        case block::function: return std::string(name);
        case block::anonymous: return {};
        case block::other: break;
      }
    }
  }
  return {};
}

}  // namespace edgelog
