// Keyword tables and path normalization behind categorize().
#include "edgelog/ingest/passes/categorize.h"

#include <array>
#include <bit>
#include <cstdint>
#include <string>

namespace edgelog {
namespace {

using sv = std::string_view;

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

std::string lowered(sv s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool contains(sv s, sv p) { return s.find(p) != sv::npos; }

// `word` appears in `s` not glued to other letters or digits.
bool has_word(sv s, sv word) {
  for (std::size_t pos = s.find(word); pos != sv::npos; pos = s.find(word, pos + 1)) {
    bool left = pos == 0 || !is_alnum(s[pos - 1]);
    bool right = pos + word.size() >= s.size() || !is_alnum(s[pos + word.size()]);
    if (left && right) return true;
  }
  return false;
}

bool any_of_words(sv s, std::initializer_list<sv> words) {
  for (sv w : words)
    if (has_word(s, w)) return true;
  return false;
}

bool any_of(sv s, std::initializer_list<sv> parts) {
  for (sv p : parts)
    if (contains(s, p)) return true;
  return false;
}

bool is_id_segment(sv seg) {
  if (seg.empty()) return false;
  bool all_digits = true, all_hex = true, has_digit = false;
  for (char c : seg) {
    all_digits &= is_digit(c);
    all_hex &= is_hex(c) || c == '-';
    has_digit |= is_digit(c);
  }
  if (all_digits) return true;
  if (all_hex && has_digit && seg.size() >= 16) return true;  // uuids, hashes, object ids
  return seg.size() >= 20 && has_digit;                       // opaque tokens
}

std::string source_type_of(const event& ev, const parsed_stack& stack, const ctx_hints& ctx) {
  std::string explicit_type = lowered(ev.source_type);
  if (explicit_type == "ui" || explicit_type == "logic" || explicit_type == "backend") return explicit_type;
  if (any_of_words(explicit_type, {"frontend", "browser", "client", "web", "mobile"})) return "ui";
  if (any_of_words(explicit_type, {"server", "api", "db", "database", "worker", "service"})) return "backend";
  std::string platform = lowered(ctx.platform);
  if (any_of_words(platform, {"browser", "web", "javascript", "ios", "android", "react-native", "flutter"})) return "ui";
  if (any_of_words(platform, {"node", "python", "go", "java", "dotnet", "ruby", "php", "rust", "server"})) return "backend";
  std::string source = lowered(ev.source);
  if (any_of(source, {"ui", "web", "frontend", "browser", "client", "view", "page", "component"})) return "ui";
  if (any_of(source, {"api", "server", "backend", "db", "database", "worker", "job", "queue", "service", "cron"})) return "backend";
  for (const auto& f : stack.frames) {
    sv file = f.file;
    if (contains(file, "http://") || contains(file, "https://") || any_of(file, {".jsx", ".tsx", ".vue", ".svelte"})) return "ui";
    if (any_of(file, {".py", ".go", ".java", ".kt", ".cs", ".rb", ".php", ".rs"}) || stack.format == "java" ||
        stack.format == "dotnet" || stack.format == "go" || stack.format == "python")
      return "backend";
  }
  return "logic";
}

}  // namespace

std::string_view action_name(action a) noexcept {
  switch (a) {
    case action::page: return "page";
    case action::notify: return "notify";
    default: return "aggregate";
  }
}

std::string normalize_path(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != sv::npos) {
    url.remove_prefix(scheme + 3);
    auto slash = url.find('/');
    url = slash == sv::npos ? sv("/") : url.substr(slash);
  }
  if (auto q = url.find_first_of("?#"); q != sv::npos) url = url.substr(0, q);
  std::string out;
  std::size_t i = 0;
  while (i < url.size()) {
    if (url[i] == '/') {
      out.push_back('/');
      ++i;
      continue;
    }
    std::size_t end = url.find('/', i);
    if (end == sv::npos) end = url.size();
    sv seg = url.substr(i, end - i);
    out += is_id_segment(seg) ? sv(":id") : seg;
    i = end;
  }
  return out.empty() ? "/" : out;
}

namespace {

// The root-cause hints in precedence order, and the cues for each (a word cue must not be glued
// to other letters or digits). The first hint with any cue anywhere in the text wins.
constexpr sv hint_names[] = {"deadlock",         "out_of_memory",         "disk_full",    "tls_error",
                             "dns_failure",      "connection_refused",    "connection_reset", "timeout",
                             "upstream_rate_limited", "upstream_5xx",     "permission_denied", "null_dereference",
                             "parse_error"};
struct cue {
  sv text;
  std::uint8_t hint;
  bool word = false;
};
constexpr cue cues[] = {
    {"deadlock", 0},
    {"out of memory", 1}, {"outofmemory", 1}, {"cannot allocate memory", 1}, {"memoryerror", 1}, {"oomkilled", 1},
    {"heap limit", 1}, {"oom", 1, true},
    {"no space left", 2}, {"enospc", 2}, {"disk full", 2}, {"disk quota", 2},
    {"certificate", 3}, {"ssl", 3}, {"tls", 3}, {"handshake", 3}, {"x509", 3},
    {"enotfound", 4}, {"getaddrinfo", 4}, {"name or service not known", 4}, {"no such host", 4},
    {"name resolution", 4}, {"dns", 4},
    {"econnrefused", 5}, {"connection refused", 5},
    {"econnreset", 6}, {"connection reset", 6}, {"broken pipe", 6}, {"epipe", 6}, {"socket hang up", 6},
    {"timeout", 7}, {"timed out", 7}, {"etimedout", 7}, {"deadline exceeded", 7},
    {"429", 8, true}, {"too many requests", 8}, {"rate limit", 8}, {"ratelimit", 8}, {"quota exceeded", 8},
    {"throttl", 8},
    {"500", 9, true}, {"502", 9, true}, {"503", 9, true}, {"504", 9, true}, {"bad gateway", 9},
    {"service unavailable", 9}, {"gateway timeout", 9}, {"internal server error", 9},
    {"permission denied", 10}, {"eacces", 10}, {"eperm", 10}, {"access denied", 10}, {"forbidden", 10},
    {"unauthorized", 10},
    {"of undefined", 11}, {"of null", 11}, {"undefined is not an object", 11}, {"null is not an object", 11},
    {"nullpointerexception", 11}, {"nullreferenceexception", 11}, {"nil pointer", 11}, {"'nonetype' object", 11},
    {"null reference", 11},
    {"syntaxerror", 12}, {"unexpected token", 12}, {"parse error", 12}, {"parseerror", 12}, {"jsondecodeerror", 12},
    {"invalid json", 12}, {"unexpected end of json", 12}, {"malformed", 12}};

// For each first byte, the cues starting with it (bits of two words).
constexpr auto cues_by_first = [] {
  static_assert(std::size(cues) <= 128);
  std::array<std::array<std::uint64_t, 2>, 256> t{};
  for (std::size_t i = 0; i < std::size(cues); ++i) t[static_cast<unsigned char>(cues[i].text[0])][i / 64] |= 1ull << (i % 64);
  return t;
}();

}  // namespace

// `cue` at s[i], its first byte known to match (inline: a library call per try costs more here).
bool matches_at(sv s, std::size_t i, sv cue) noexcept {
  if (s.size() - i < cue.size()) return false;
  for (std::size_t k = 1; k < cue.size(); ++k)
    if (s[i + k] != cue[k]) return false;
  return true;
}

std::string_view root_cause_hint(std::string_view raw) noexcept {
  // One pass over the lowered text, trying at each byte only the cues that start with it.
  std::string s = lowered(raw);
  std::size_t best = std::size(hint_names);
  for (std::size_t i = 0; i < s.size() && best > 0; ++i) {
    const auto& masks = cues_by_first[static_cast<unsigned char>(s[i])];
    for (std::size_t half = 0; half < 2; ++half)
      for (std::uint64_t m = masks[half]; m; m &= m - 1) {
        const cue& c = cues[half * 64 + static_cast<std::size_t>(std::countr_zero(m))];
        if (c.hint >= best || !matches_at(s, i, c.text)) continue;
        if (c.word && ((i > 0 && is_alnum(s[i - 1])) ||
                       (i + c.text.size() < s.size() && is_alnum(s[i + c.text.size()]))))
          continue;
        best = c.hint;
      }
  }
  return best < std::size(hint_names) ? hint_names[best] : sv{};
}

categories categorize(const event& ev, const parsed_stack& stack, std::string_view exception_type,
                      const ctx_hints& ctx, const std::vector<rule>& page_rules) {
  categories c;
  c.source_type = source_type_of(ev, stack, ctx);

  std::string explicit_error = lowered(ev.error_type);
  if (explicit_error == "error" || explicit_error == "exception") c.error_type = explicit_error;
  else if (!exception_type.empty() || !ev.stack.empty()) c.error_type = "exception";
  else if (ev.severity >= level::error) c.error_type = "error";

  if (!ev.component.empty()) c.component = std::string(ev.component);
  else if (!ctx.component.empty()) c.component = ctx.component;
  else if (!ctx.logger.empty()) c.component = ctx.logger;
  else
    for (const auto& f : stack.frames)
      if (f.in_app) {
        c.component = f.module;
        break;
      }

  if (!ev.endpoint.empty()) {
    c.endpoint = std::string(ev.endpoint);
  } else {
    sv where = !ctx.route.empty() ? sv(ctx.route) : !ctx.path.empty() ? sv(ctx.path) : sv(ctx.url);
    if (!where.empty()) {
      std::string method;
      for (char ch : ctx.method) method.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch);
      c.endpoint = method;
      if (!method.empty()) c.endpoint.push_back(' ');
      c.endpoint.append(ctx.route.empty() ? normalize_path(where) : std::string(where));
    }
  }

  // Hints serve triage, so only warnings and worse are read for them.
  if (ev.severity >= level::warn) {
    std::string text(ev.message);
    for (sv extra : {exception_type, sv(stack.exception_value)}) {
      if (extra.empty()) continue;
      text.push_back('\n');
      text.append(extra);
    }
    c.hint = std::string(root_cause_hint(text));
  }

  if (ev.severity == level::fatal) {
    c.triage = action::page;
  } else if (ev.severity >= level::warn) {
    c.triage = action::notify;
    if (ev.severity == level::error && !page_rules.empty()) {
      rule_subject subject{ev.message, ev.source, level_name(ev.severity), ev.env, exception_type,
                           c.component, c.endpoint, &stack.frames};
      if (first_match(page_rules, subject)) c.triage = action::page;
    }
  }
  return c;
}

}  // namespace edgelog
