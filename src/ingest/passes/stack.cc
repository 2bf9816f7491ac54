// Line-oriented parsers for the stack formats operators meet; no regex.
#include "edgelog/ingest/passes/stack.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace edgelog {
namespace {

using sv = std::string_view;

sv trim(sv s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with(sv s, sv p) { return s.substr(0, p.size()) == p; }
bool contains(sv s, sv p) { return s.find(p) != sv::npos; }

std::vector<sv> lines_of(sv s) {
  std::vector<sv> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t nl = s.find('\n', pos);
    if (nl == sv::npos) nl = s.size();
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

int to_int(sv s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "main.3f2a1b9c.js" → "main.js", "chunk-5GH2K3LQ.js" stays unless hex: build hashes vanish.
std::string strip_build_hash(sv name) {
  std::string out;
  std::size_t i = 0, kept = 0;  // name[kept, i) is copied when a hash is dropped or at the end
  while (i < name.size()) {
    if ((name[i] == '.' || name[i] == '-' || name[i] == '_') && i + 1 < name.size()) {
      std::size_t j = i + 1;
      bool digit = false;
      while (j < name.size() && is_hex(name[j])) digit |= name[j] >= '0' && name[j] <= '9', ++j;
      if (j - i - 1 >= 6 && digit && (j == name.size() || name[j] == '.' || name[j] == '-')) {
        out.append(name.substr(kept, i - kept));
        i = kept = j;
        continue;
      }
    }
    ++i;
  }
  out.append(name.substr(kept));
  return out;
}

// The last two segments of a path or URL, without query, scheme, host or build hashes.
std::string module_of_path(sv file) {
  if (auto q = file.find_first_of("?#"); q != sv::npos) file = file.substr(0, q);
  if (auto scheme = file.find("://"); scheme != sv::npos) {
    file.remove_prefix(scheme + 3);
    auto slash = file.find('/');
    file = slash == sv::npos ? sv{} : file.substr(slash);
  }
  if (starts_with(file, "file://")) file.remove_prefix(7);
  std::size_t last = file.find_last_of("/\\");
  if (last == sv::npos) return strip_build_hash(file);
  std::size_t prev = last == 0 ? sv::npos : file.find_last_of("/\\", last - 1);
  sv tail = prev == sv::npos ? file.substr(last + 1) : file.substr(prev + 1);
  std::string out = strip_build_hash(tail);
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

// "file:line:col" or "file:line" → file, line.
void split_location(sv loc, sv& file, int& line) {
  file = loc;
  line = 0;
  for (int part = 0; part < 2; ++part) {
    auto colon = file.rfind(':');
    if (colon == sv::npos) return;
    sv num = file.substr(colon + 1);
    if (num.empty() || !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; })) return;
    line = to_int(num);  // the first pass reads the column, the second the line
    file = file.substr(0, colon);
  }
}

frame make_frame(sv function, sv file, int line, std::string module = {}) {
  frame f;
  f.function = std::string(trim(function));
  f.file = std::string(file);
  f.line = line;
  f.module = module.empty() ? module_of_path(file) : std::move(module);
  f.in_app = is_in_app(file, f.function);
  return f;
}

bool parse_v8_line(sv l, frame& out) {
  l = trim(l);
  if (!starts_with(l, "at ")) return false;
  l.remove_prefix(3);
  if (starts_with(l, "async ")) l.remove_prefix(6);
  sv function, loc;
  if (!l.empty() && l.back() == ')' && contains(l, " (")) {
    auto open = l.rfind(" (");
    function = l.substr(0, open);
    loc = l.substr(open + 2, l.size() - open - 3);
  } else {
    loc = l;
  }
  if (starts_with(function, "new ")) function.remove_prefix(4);
  sv file;
  int line;
  split_location(loc, file, line);
  out = make_frame(function.empty() ? "<anonymous>" : function, file, line);
  return true;
}

bool parse_gecko_line(sv l, frame& out) {
  l = trim(l);
  auto at = l.find('@');
  if (at == sv::npos || contains(l.substr(0, at), " ")) return false;
  sv loc = l.substr(at + 1);
  if (!contains(loc, ":")) return false;
  sv file;
  int line;
  split_location(loc, file, line);
  if (line == 0) return false;
  out = make_frame(at == 0 ? "<anonymous>" : l.substr(0, at), file, line);
  return true;
}

bool parse_java_line(sv l, frame& out) {
  l = trim(l);
  if (!starts_with(l, "at ") || l.back() != ')') return false;
  l.remove_prefix(3);
  auto open = l.find('(');
  if (open == sv::npos) return false;
  sv qualified = l.substr(0, open), loc = l.substr(open + 1, l.size() - open - 2);
  auto dot = qualified.rfind('.');
  if (dot == sv::npos) return false;
  sv cls = qualified.substr(0, dot), method = qualified.substr(dot + 1);
  if (auto slash = cls.find('/'); slash != sv::npos) cls = cls.substr(slash + 1);  // module/pkg.Class
  sv file = loc;
  int line = 0;
  if (auto colon = loc.rfind(':'); colon != sv::npos) {
    file = loc.substr(0, colon);
    line = to_int(loc.substr(colon + 1));
  }
  out = make_frame(method, file, line, std::string(cls));
  out.in_app = is_in_app(cls, method);
  return true;
}

bool parse_dotnet_line(sv l, frame& out) {
  l = trim(l);
  if (!starts_with(l, "at ")) return false;
  l.remove_prefix(3);
  sv where = l, loc;
  if (auto in = l.find(" in "); in != sv::npos) {
    where = l.substr(0, in);
    loc = l.substr(in + 4);
  }
  auto paren = where.find('(');
  sv qualified = paren == sv::npos ? where : where.substr(0, paren);
  auto dot = qualified.rfind('.');
  if (dot == sv::npos) return false;
  int line = 0;
  sv file = loc;
  if (auto marker = loc.rfind(":line "); marker != sv::npos) {
    file = loc.substr(0, marker);
    line = to_int(loc.substr(marker + 6));
  }
  out = make_frame(qualified.substr(dot + 1), file, line, std::string(qualified.substr(0, dot)));
  out.in_app = is_in_app(qualified, "");
  return true;
}

parsed_stack parse_python(const std::vector<sv>& lines) {
  parsed_stack p;
  p.format = "python";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    sv l = trim(lines[i]);
    if (starts_with(l, "File \"")) {
      auto end_quote = l.find('"', 6);
      if (end_quote == sv::npos) continue;
      sv file = l.substr(6, end_quote - 6);
      int line = 0;
      sv function = "<module>";
      if (auto ln = l.find(", line ", end_quote); ln != sv::npos) line = to_int(l.substr(ln + 7));
      if (auto in = l.find(", in ", end_quote); in != sv::npos) function = l.substr(in + 5);
      p.frames.push_back(make_frame(function, file, line));
    } else if (!l.empty() && !starts_with(l, "Traceback") && lines[i].size() && lines[i][0] != ' ' &&
               !starts_with(l, "During handling") && !starts_with(l, "The above exception")) {
      std::string value;
      std::string type = exception_type_of(l, &value);
      if (!type.empty()) {
        p.exception_type = type;
        p.exception_value = value;
      }
    }
  }
  std::reverse(p.frames.begin(), p.frames.end());  // Python prints the innermost frame last
  return p;
}

parsed_stack parse_go(const std::vector<sv>& lines) {
  parsed_stack p;
  p.format = "go";
  sv first = trim(lines[0]);
  if (starts_with(first, "panic: ")) {
    p.exception_type = "panic";
    p.exception_value = std::string(first.substr(7));
  }
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    sv fn = trim(lines[i]), loc = lines[i + 1];
    if (fn.empty() || starts_with(fn, "goroutine ") || starts_with(fn, "panic") || loc.empty() || loc[0] != '\t')
      continue;
    auto paren = fn.rfind('(');
    sv function = paren == sv::npos ? fn : fn.substr(0, paren);
    loc = trim(loc);
    if (auto plus = loc.rfind(" +0x"); plus != sv::npos) loc = loc.substr(0, plus);
    sv file;
    int line;
    split_location(loc, file, line);
    // Go names functions by import path: "net/http.(*conn).serve" is stdlib (no dot before '/').
    frame f = make_frame(function, file, line);
    sv pkg = function.substr(0, function.find('.'));
    if (auto slash = function.rfind('/'); slash != sv::npos) pkg = function.substr(0, function.find('.', slash));
    bool stdlib = !contains(pkg.substr(0, pkg.find('/')), ".") && pkg != "main";
    f.in_app = f.in_app && !stdlib;
    p.frames.push_back(std::move(f));
    ++i;
  }
  return p;
}

}  // namespace

bool is_in_app(std::string_view file, std::string_view function) {
  // Paths of installed packages and runtimes: JavaScript, Python, Go, Rust, Ruby and PHP.
  static constexpr sv fragments[] = {
      "node_modules/", "site-packages/", "dist-packages/", "/vendor/", "/usr/lib/python",
      "/usr/local/lib/python", "/lib/python3", "/usr/local/go/src/", "/usr/lib/go", "/pkg/mod/",
      "/rustc/", "/.cargo/registry/", "webpack/bootstrap", "/gems/", "/lib/ruby/", "/rubygems/",
      "/usr/share/php/", "/usr/share/pear/", "/.pnpm/", "/.yarn/"};
  // Runtime frames, and the namespaces of the libraries and frameworks most applications run on
  // (Java/Kotlin/Scala classes and .NET types are matched by their qualified name).
  static constexpr sv prefixes[] = {
      "node:", "internal/", "vendor/", "<frozen ", "<internal:",
      // JVM: the runtime, then the common libraries and frameworks.
      "java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "groovy.",
      "android.", "androidx.", "dalvik.", "com.android.", "org.springframework.", "org.apache.", "com.fasterxml.",
      "io.netty.", "org.hibernate.", "com.google.", "ch.qos.logback.", "org.slf4j.", "reactor.", "io.reactivex.",
      "io.micrometer.", "io.opentelemetry.", "io.sentry.", "org.junit.", "org.mockito.", "okhttp3.", "okio.",
      "retrofit2.", "com.squareup.", "com.zaxxer.", "org.eclipse.", "org.jboss.", "io.undertow.", "org.glassfish.",
      "org.postgresql.", "com.mysql.", "org.mariadb.", "io.grpc.", "org.aspectj.", "net.bytebuddy.", "io.vertx.",
      "akka.", "io.micronaut.", "io.quarkus.", "com.amazonaws.", "software.amazon.awssdk.", "org.codehaus.",
      "io.lettuce.", "redis.clients.", "com.mongodb.", "org.mongodb.", "org.elasticsearch.", "org.mybatis.",
      "org.jooq.", "org.flywaydb.", "liquibase.", "feign.", "org.thymeleaf.", "org.yaml.", "com.typesafe.",
      // .NET: the runtime, then the common packages.
      "System.", "Microsoft.", "Newtonsoft.", "Npgsql.", "Serilog.", "NLog.", "log4net.", "AutoMapper.", "Polly.",
      "Grpc.", "MediatR.", "Dapper.", "StackExchange.", "Castle.", "Autofac.", "NHibernate.", "MongoDB.", "Amazon.",
      "Azure.", "Google.", "Swashbuckle.", "FluentValidation.", "Hangfire.", "Quartz.", "RabbitMQ.", "Confluent.",
      "Sentry.", "Pomelo.", "Xunit.", "NUnit.", "Moq."};
  static constexpr sv exact[] = {"native", "[native code]", "<anonymous>"};
  // Every fragment holds a '/', so an occurrence puts the fragment's first '/' on one of the
  // file's: test the fragments only around those (a path has a few, a frame has many fragments).
  static constexpr auto first_slash = [] {
    std::array<std::size_t, std::size(fragments)> at{};
    for (std::size_t i = 0; i < at.size(); ++i) at[i] = fragments[i].find('/');
    return at;
  }();
  for (std::size_t j = file.find('/'); j != sv::npos; j = file.find('/', j + 1))
    for (std::size_t i = 0; i < std::size(fragments); ++i) {
      sv m = fragments[i];
      std::size_t k = first_slash[i];
      if (j >= k && file.size() - (j - k) >= m.size() && file[j - k] == m[0] && file.compare(j - k, m.size(), m) == 0)
        return false;
    }
  // The prefixes by their first byte: a path ('/…') meets none of them, a class name a few.
  static const auto by_first = [] {
    std::array<std::vector<sv>, 128> at{};
    for (sv m : prefixes) at[static_cast<unsigned char>(m[0])].push_back(m);
    return at;
  }();
  if (!file.empty() && static_cast<unsigned char>(file[0]) < by_first.size())
    for (sv m : by_first[static_cast<unsigned char>(file[0])])
      if (starts_with(file, m)) return false;
  for (sv m : exact)
    if (file == m) return false;
  if (file.empty() && (function.empty() || function == "<anonymous>")) return false;
  return true;
}

std::string exception_type_of(std::string_view line, std::string* value) {
  sv l = trim(line);
  for (sv prefix : {sv("Uncaught "), sv("Unhandled exception. "), sv("Exception in thread \"main\" ")})
    if (starts_with(l, prefix)) l.remove_prefix(prefix.size());
  std::size_t n = 0;
  while (n < l.size() && (std::isalnum(static_cast<unsigned char>(l[n])) || l[n] == '_' || l[n] == '.' || l[n] == '$'))
    ++n;
  if (n == 0 || (n < l.size() && l[n] != ':') || !std::isalpha(static_cast<unsigned char>(l[0]))) return {};
  sv name = l.substr(0, n);
  // A type, not a sentence: "Error", "TypeError", "java.io.IOException", "ValueError".
  bool typed = contains(name, "Error") || contains(name, "Exception") || contains(name, ".") ||
               name == "panic" || name == "Throwable" || name == "KeyboardInterrupt" || name == "StopIteration";
  if (!typed) return {};
  if (value) *value = n < l.size() ? std::string(trim(l.substr(n + 1))) : std::string();
  return std::string(name);
}

parsed_stack parse_stack(std::string_view stack) {
  auto lines = lines_of(stack);
  if (lines.empty()) return {};
  for (sv l : lines)
    if (starts_with(trim(l), "Traceback (most recent call last)")) return parse_python(lines);
  if (starts_with(trim(lines[0]), "panic: ") || starts_with(trim(lines[0]), "goroutine ")) return parse_go(lines);

  parsed_stack p;
  std::size_t start = 0;
  p.exception_type = exception_type_of(lines[0], &p.exception_value);
  if (!p.exception_type.empty()) start = 1;
  for (std::size_t i = start; i < lines.size(); ++i) {
    sv l = trim(lines[i]);
    if (l.empty()) continue;
    if (starts_with(l, "Caused by:") || starts_with(l, "--- End of inner exception")) break;
    frame f;
    bool dotnet_like = starts_with(l, "at ") && (contains(l, " in ") || (contains(l, "(") && contains(l, ")") && !contains(l, ":") && !contains(l, " (")));
    bool java_like = starts_with(l, "at ") && !contains(l, " (") && contains(l, "(") && l.back() == ')';
    if (dotnet_like && parse_dotnet_line(l, f)) {
      if (p.format.empty()) p.format = "dotnet";
    } else if (java_like && parse_java_line(l, f)) {
      if (p.format.empty()) p.format = "java";
    } else if (parse_v8_line(l, f)) {
      if (p.format.empty()) p.format = "v8";
    } else if (parse_gecko_line(l, f)) {
      if (p.format.empty()) p.format = "gecko";
    } else {
      continue;
    }
    p.frames.push_back(std::move(f));
  }
  return p;
}

}  // namespace edgelog
