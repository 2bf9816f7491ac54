// Stack traces: the common formats parsed into frames, in-app frames marked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edgelog {

/// One frame. `module` is stable across deploys: for files, the last two path segments with
/// build hashes removed (main.3f2a1b.js → main.js); for Java/.NET, the class.
struct frame {
  std::string function;
  std::string module;
  std::string file;   ///< as written in the trace
  int line = 0;
  bool in_app = true;
};

/// A parsed trace. Frames are innermost (where it was thrown) first, whatever the format.
struct parsed_stack {
  std::string format;          ///< "v8", "gecko", "python", "java", "go", "dotnet" or "" when unknown
  std::string exception_type;  ///< "TypeError", "java.lang.NullPointerException", "panic", …
  std::string exception_value;
  std::vector<frame> frames;
};

/// Parses V8/Node (`at fn (file:line:col)`), Firefox/Safari (`fn@file:line:col`), Python
/// tracebacks, Java/Kotlin (`at pkg.Class.method(File.java:42)`), Go panics and .NET traces.
parsed_stack parse_stack(std::string_view stack);

/// False for library and runtime code: node_modules, site-packages, dist-packages, vendor,
/// standard library paths and internal runtime frames.
bool is_in_app(std::string_view file, std::string_view function);

/// "TypeError" from "TypeError: Cannot read…" (also "Uncaught TypeError: …"), or "" when the
/// text does not start like an exception.
std::string exception_type_of(std::string_view first_line, std::string* value = nullptr);

}  // namespace edgelog
