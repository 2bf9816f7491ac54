// Fingerprints: what identifies an error independent of where and when it happened.
#include "edgelog/ingest/passes/fingerprint.h"

#include "detail/crypto.h"
#include "detail/json_writer.h"
#include "edgelog/ingest/passes/template.h"

namespace edgelog {
namespace {

std::string hash(std::string_view basis) {
  auto digest = detail::sha1({basis});
  return detail::to_hex(digest.data(), 16);
}

std::string default_basis(const parsed_stack& stack, std::string_view type, std::string_view message_template,
                          std::string& kind) {
  if (!type.empty()) {
    std::string basis = "type:";
    basis.append(type);
    int frames = 0;
    for (const auto& f : stack.frames) {
      if (!f.in_app) continue;
      basis.push_back('\n');
      basis.append(f.module);
      basis.push_back(':');
      basis.append(f.function);
      if (++frames == 3) break;
    }
    if (frames) {
      kind = "stack";
      return basis;
    }
    kind = "type";
    basis.push_back('\n');
    basis.append(stack.exception_value.empty() ? std::string(message_template) : template_message(stack.exception_value));
    return basis;
  }
  kind = "template";
  return "template:" + std::string(message_template);
}

}  // namespace

grouping group_event(const event& ev, const parsed_stack& stack, std::string_view exception_type,
                     std::string_view message_template, const std::vector<rule>& rules) {
  grouping g;
  std::string kind;
  std::string computed = hash(default_basis(stack, exception_type, message_template, kind));

  rule_subject subject{ev.message, ev.source, level_name(ev.severity), ev.env, exception_type,
                       ev.component, ev.endpoint, &stack.frames};
  if (!ev.client_fingerprint.empty()) {
    std::string basis = "client:";
    for (auto part : ev.client_fingerprint) {
      basis.push_back('\x1f');
      basis.append(part == "{{ default }}" || part == "{{default}}" ? std::string_view(computed) : part);
    }
    g.fingerprint = hash(basis);
    g.basis = "client";
  } else if (const rule* r = first_match(rules, subject); r && !r->name.empty()) {
    g.fingerprint = hash("rule:" + r->name);
    g.basis = "rule";
  } else {
    g.fingerprint = computed;
    g.basis = kind;
  }

  std::string title;
  if (!exception_type.empty()) {
    title.append(exception_type);
    title.append(": ");
    title.append(stack.exception_value.empty() ? std::string(message_template) : template_message(stack.exception_value));
  } else {
    title.append(message_template);
  }
  g.title = title.substr(0, detail::utf8_prefix(title, 200));
  return g;
}

}  // namespace edgelog
