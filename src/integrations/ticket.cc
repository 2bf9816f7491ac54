// Ticket bodies for GitHub (Markdown) and Jira Cloud (REST v2, wiki markup).
#include "edgelog/integrations/ticket.h"


#include "alerting/facts.h"
#include "detail/json_writer.h"
#include "edgelog/timestamp.h"

namespace edgelog {

namespace {

constexpr std::size_t max_title = 250;     // GitHub allows 256, Jira's summary 255
constexpr std::size_t max_stack = 6000;    // enough frames to act on; the rest is one click away
constexpr std::size_t max_template = 2000;

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

std::string link_of(const ticket_input& in) {
  if (in.dashboard_url.empty()) return {};
  return in.dashboard_url + "/#/issue/" + in.issue.fingerprint + "?project=" + in.project;
}

// "GET /v1/cart (91 %), GET /v1/orders (9 %)": the top three values with their share.
std::string shares_text(const std::vector<std::pair<std::string, std::int64_t>>& values, std::int64_t sample) {
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < 3; ++i) {
    if (i) out += ", ";
    out += values[i].first;
    if (sample > 0) out += " (" + std::to_string((values[i].second * 100 + sample / 2) / sample) + " %)";
  }
  return out;
}

// Whether the shares already say where the events come from for `field` (the latest event's
// value would repeat it).
bool has_share(const ticket_input& in, std::string_view field) {
  for (const auto& [name, values] : in.shares)
    if (name == field && !values.empty()) return true;
  return false;
}

std::string summary_line(const ticket_input& in, bool markdown) {
  const auto& is = in.issue;
  std::string b = markdown ? "**" : "*";
  return b + is.level + b + " · " + thousands(is.count) + (is.count == 1 ? " event" : " events") + " · first seen " +
         format_rfc3339(is.first_seen) + " · last seen " + format_rfc3339(is.last_seen) + " · project " + in.project;
}

// Markdown code fences that the text cannot close early.
std::string fence_for(std::string_view text) {
  std::string fence = "```";
  while (text.find(fence) != std::string_view::npos) fence.push_back('`');
  return fence;
}

std::string github_markdown(const ticket_input& in) {
  const auto& is = in.issue;
  std::string md = summary_line(in, true) + "\n\n";
  std::string tmpl = detail::clip(is.template_text, max_template);
  std::string f = fence_for(tmpl);
  md += f + "\n" + tmpl + "\n" + f + "\n\n";
  if (!is.hint.empty()) {
    md += "**Root cause hint:** `" + is.hint + "`";
    if (!in.suggestion.empty()) md += " — **next step:** " + in.suggestion;
    md += "\n\n";
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [field, values] : in.shares)
    if (!values.empty()) rows.emplace_back(field, shares_text(values, in.sample));
  if (!in.env.empty() && !has_share(in, "env")) rows.emplace_back("latest env", in.env);
  if (!in.release.empty() && !has_share(in, "release")) rows.emplace_back("latest release", in.release);
  if (!rows.empty()) {
    md += "| | |\n|---|---|\n";
    for (auto& [k, v] : rows) {
      for (char& c : v)
        if (c == '|' || c == '\n') c = ' ';
      md += "| " + k + " | " + v + " |\n";
    }
    md += "\n";
  }
  if (!in.stack.empty()) {
    std::string stack = detail::clip(in.stack, max_stack);
    std::string sf = fence_for(stack);
    md += "Latest stack:\n\n" + sf + "\n" + stack + "\n" + sf + "\n\n";
  }
  if (auto link = link_of(in); !link.empty()) md += "[Open in edgelog](" + link + ")\n\n";
  md += "<!-- " + ticket_marker(is.fingerprint) + " -->\n";
  return md;
}

// Jira wiki markup: {noformat} cannot be closed early by a stack, so the text is cut at any
// "{noformat}" it holds.
std::string noformat(std::string_view text) {
  std::string t(text);
  for (auto p = t.find("{noformat}"); p != std::string::npos; p = t.find("{noformat}")) t.replace(p, 10, "(noformat)");
  return "{noformat}\n" + t + "\n{noformat}\n";
}

std::string jira_wiki(const ticket_input& in) {
  const auto& is = in.issue;
  std::string w = summary_line(in, false) + "\n\n" + noformat(detail::clip(is.template_text, max_template)) + "\n";
  if (!is.hint.empty()) {
    w += "*Root cause hint:* " + is.hint;
    if (!in.suggestion.empty()) w += " — *next step:* " + in.suggestion;
    w += "\n\n";
  }
  for (const auto& [field, values] : in.shares)
    if (!values.empty()) w += "* " + field + ": " + shares_text(values, in.sample) + "\n";
  if (!in.env.empty() && !has_share(in, "env")) w += "* latest env: " + in.env + "\n";
  if (!in.release.empty() && !has_share(in, "release")) w += "* latest release: " + in.release + "\n";
  if (!in.stack.empty()) w += "\nLatest stack:\n" + noformat(detail::clip(in.stack, max_stack));
  if (auto link = link_of(in); !link.empty()) w += "\n[Open in edgelog|" + link + "]\n";
  return w;
}

std::string title_of(const ticket_input& in) {
  std::string t = in.issue.title.empty() ? in.issue.template_text : in.issue.title;
  for (char& c : t)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return detail::clip(t, max_title);
}

}  // namespace

std::string ticket_label(std::string_view fingerprint) { return "edgelog-" + std::string(fingerprint); }

std::string ticket_marker(std::string_view fingerprint) { return "edgelog:" + std::string(fingerprint); }

std::string ticket_body(const ticket_input& in) {
  std::string out;
  detail::json_writer w(out);
  if (in.tracker == ticket_tracker::github) {
    w.raw("{\"title\":");
    w.string(title_of(in));
    w.raw(",\"body\":");
    w.string(github_markdown(in));
    w.raw(",\"labels\":[\"edgelog\"]}");
    return out;
  }
  w.raw("{\"fields\":{\"project\":{\"key\":");
  w.string(in.jira_project);
  w.raw("},\"issuetype\":{\"name\":");
  w.string(in.jira_issue_type);
  w.raw("},\"summary\":");
  w.string(title_of(in));
  w.raw(",\"description\":");
  w.string(jira_wiki(in));
  w.raw(",\"labels\":[\"edgelog\",");
  w.string("edgelog-" + in.issue.fingerprint);
  w.raw("]}}");
  return out;
}


}  // namespace edgelog
