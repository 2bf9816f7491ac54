// The function bodies of JavaScript text: one forward pass over it, passing over strings, comments,
// template literals and regular expressions, that asks at each opening brace what opened it by
// reading the few tokens before.
#include "edgelog/sourcemaps/scopes.h"

#include <algorithm>
#include <array>

namespace edgelog {
namespace {

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

// Whether a `/` at `at` starts a regular expression rather than a division: what precedes it
// (skipping spaces) is an operator, an opening bracket, a keyword that takes an expression, or
// nothing.
bool starts_regex(std::string_view s, std::size_t at) {
  std::size_t end = skip_space(s, at);
  if (end == 0) return true;
  char c = s[end - 1];
  if (std::string_view("(,=:[!&|?{};+-*%<>~^").find(c) != std::string_view::npos) return true;
  std::size_t start;
  std::string_view word = ident_before(s, end, start);
  return word == "return" || word == "typeof" || word == "case" || word == "do" || word == "else" || word == "in" ||
         word == "of" || word == "new" || word == "delete" || word == "void" || word == "throw" || word == "yield" ||
         word == "await";
}

}  // namespace

std::vector<function_scope> function_scopes(std::string_view s, std::string& pool) {
  std::vector<function_scope> out;
  // Open braces: the function's index, -1 for another block, -2 for a template's `${`.
  std::vector<std::int32_t> open;
  std::int32_t current = -1;  // the innermost open function
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  bool in_template = false;
  const auto column = [&](std::size_t i) { return static_cast<std::uint32_t>(i - line_start + 1); };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      continue;
    }
    if (in_template) {
      if (c == '\\') {
        ++i;
      } else if (c == '`') {
        in_template = false;
      } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        in_template = false;
        open.push_back(-2);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
      case '\'': {
        for (++i; i < s.size() && s[i] != c && s[i] != '\n'; ++i)
          if (s[i] == '\\') ++i;
        if (i < s.size() && s[i] == '\n') --i;  // an unterminated string ends at its line
        break;
      }
      case '`': in_template = true; break;
      case '/': {
        if (i + 1 < s.size() && s[i + 1] == '/') {
          while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
        } else if (i + 1 < s.size() && s[i + 1] == '*') {
          std::size_t end = s.find("*/", i + 2);
          std::size_t stop = end == std::string_view::npos ? s.size() : end + 2;
          for (std::size_t k = i; k < stop; ++k)
            if (s[k] == '\n') {
              ++line;
              line_start = k + 1;
            }
          i = stop - 1;
        } else if (starts_regex(s, i)) {
          bool in_class = false;
          for (++i; i < s.size() && s[i] != '\n'; ++i) {
            if (s[i] == '\\') ++i;
            else if (s[i] == '[') in_class = true;
            else if (s[i] == ']') in_class = false;
            else if (s[i] == '/' && !in_class) break;
          }
          if (i < s.size() && s[i] == '\n') --i;
        }
        break;
      }
      case '{': {
        std::string_view name;
        block kind = opened_by(s, i, name);
        if (kind == block::other) {
          open.push_back(-1);
          break;
        }
        function_scope f;
        f.start_line = line;
        f.start_column = column(i);
        f.parent = current;
        f.name_offset = static_cast<std::uint32_t>(pool.size());
        f.name_length = static_cast<std::uint32_t>(std::min<std::size_t>(name.size(), 256));
        pool.append(name.substr(0, f.name_length));
        current = static_cast<std::int32_t>(out.size());
        out.push_back(f);
        open.push_back(current);
        break;
      }
      case '}': {
        if (open.empty()) break;
        std::int32_t top = open.back();
        open.pop_back();
        if (top == -2) {
          in_template = true;
        } else if (top >= 0) {
          out[static_cast<std::size_t>(top)].end_line = line;
          out[static_cast<std::size_t>(top)].end_column = column(i);
          current = out[static_cast<std::size_t>(top)].parent;
        }
        break;
      }
      default: break;
    }
  }
  // Bodies the text leaves open end with it.
  for (std::int32_t top : open)
    if (top >= 0) {
      out[static_cast<std::size_t>(top)].end_line = line;
      out[static_cast<std::size_t>(top)].end_column = column(s.size());
    }
  return out;
}

std::string_view scope_name(const std::vector<function_scope>& scopes, std::string_view pool, std::uint32_t line,
                            std::uint32_t column) {
  const auto before = [&](const function_scope& f) {
    return f.start_line < line || (f.start_line == line && f.start_column <= column);
  };
  // The last body opened at or before the position: the innermost one holding it is that body or
  // one of its enclosing functions.
  auto it = std::partition_point(scopes.begin(), scopes.end(), before);
  std::int32_t k = static_cast<std::int32_t>(it - scopes.begin()) - 1;
  for (std::size_t steps = 0; k >= 0 && steps < 256; ++steps) {
    const function_scope& f = scopes[static_cast<std::size_t>(k)];
    if (f.end_line > line || (f.end_line == line && f.end_column >= column))
      return pool.substr(f.name_offset, f.name_length);
    k = f.parent;
  }
  return {};
}

std::string enclosing_function(std::string_view source, std::size_t offset) {
  offset = std::min(offset, source.size());
  std::string pool;
  auto scopes = function_scopes(source, pool);
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (source[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return std::string(scope_name(scopes, pool, line, static_cast<std::uint32_t>(offset - line_start + 1)));
}

}  // namespace edgelog
