// libFuzzer target for the text scanners: templating, stack parsing, scrubbing, rules and
// categorization hints on arbitrary bytes. Invariants: no crash, templating is idempotent on its
// own placeholders, scrubbing never grows a string with nothing to mask.
#include <cstddef>
#include <cstdint>
#include <string>

#include "edgelog/ingest/passes/categorize.h"
#include "edgelog/ingest/passes/redact.h"
#include "edgelog/ingest/rules.h"
#include "edgelog/ingest/passes/stack.h"
#include "edgelog/ingest/passes/template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string once = edgelog::template_message(text);
  if (edgelog::template_message(once) != once) __builtin_trap();
  auto stack = edgelog::parse_stack(text);
  for (const auto& f : stack.frames)
    if (f.module.size() > text.size() + 8) __builtin_trap();
  edgelog::scrub_options options;
  options.mask_emails = options.mask_ips = (size & 1) != 0;
  std::string out;
  if (edgelog::scrub_text(text, out, options) == 0 && out != text) __builtin_trap();
  auto rules = edgelog::parse_rules(text);
  edgelog::rule_subject subject{text, text, "error", "", stack.exception_type, "", "", &stack.frames};
  (void)edgelog::first_match(rules, subject);
  (void)edgelog::root_cause_hint(text);
  (void)edgelog::normalize_path(text);
  return 0;
}
