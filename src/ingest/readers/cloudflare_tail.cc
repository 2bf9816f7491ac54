// Cloudflare TraceItems → typed events. The runtime hands a Tail Worker one TraceItem per invocation
// of the producer Worker; its exceptions, console lines and outcome become events here, each with
// the invocation's facts in ctx.worker. nlohmann/json reads the items (the tail path is not the hot
// one: a producer's invocations arrive batched by the runtime).
#include "edgelog/ingest/readers/cloudflare_tail.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <tuple>

namespace edgelog {
namespace {

using json = nlohmann::json;

std::string string_at(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

const json* object_at(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_object() ? &*it : nullptr;
}

// A number of milliseconds the runtime wrote, or NaN.
double millis_at(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::string text_of(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// The URL with every query value replaced (query strings carry tokens and personal data) and the
// fragment dropped; the keys stay, so the URL still says what was asked.
std::string scrubbed_url(std::string_view url) {
  url = url.substr(0, url.find('#'));
  auto q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, q + 1));
  std::string_view query = url.substr(q + 1);
  bool first = true;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (!first) out += '&';
    first = false;
    auto eq = pair.find('=');
    out += pair.substr(0, eq);
    if (eq != std::string_view::npos) out += "=[Filtered]";
  }
  return out;
}

// The path of a URL: no scheme, host, query or fragment.
std::string path_of(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    auto slash = url.find_first_of("/?#");
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  url = url.substr(0, url.find_first_of("?#"));
  return url.empty() ? "/" : std::string(url);
}

// What every event of one invocation shares.
struct invocation {
  std::string script, release, endpoint, request_id, outcome;
  int status = 0;
  double ts = std::nan("");
  json worker = json::object();  // ctx.worker
};

// The event that started the invocation: a request, a cron, a queue batch, an RPC call, …
void read_trigger(const json& item, invocation& inv) {
  const json* ev = object_at(item, "event");
  if (!ev) return;
  json& w = inv.worker;
  if (const json* request = object_at(*ev, "request")) {
    std::string method = string_at(*request, "method"), url = string_at(*request, "url");
    w["event"] = "fetch";
    if (!method.empty()) w["method"] = method;
    if (!url.empty()) w["url"] = scrubbed_url(url);
    inv.endpoint = (method.empty() ? "" : method + " ") + path_of(url);
    if (const json* headers = object_at(*request, "headers")) inv.request_id = string_at(*headers, "cf-ray");
    if (const json* cf = object_at(*request, "cf")) {
      for (const char* key : {"colo", "country"})
        if (std::string v = string_at(*cf, key); !v.empty()) w[key] = v;
    }
    if (const json* response = object_at(*ev, "response")) {
      auto status = response->find("status");
      if (status != response->end() && status->is_number_integer()) {
        inv.status = status->get<int>();
        w["status"] = inv.status;
      }
    }
  } else if (std::string cron = string_at(*ev, "cron"); !cron.empty()) {
    w["event"] = "scheduled";
    w["cron"] = cron;
    inv.endpoint = "cron " + cron;
  } else if (std::string queue = string_at(*ev, "queue"); !queue.empty()) {
    w["event"] = "queue";
    w["queue"] = queue;
    if (auto size = ev->find("batchSize"); size != ev->end() && size->is_number()) w["batch_size"] = *size;
    inv.endpoint = "queue " + queue;
  } else if (std::string method = string_at(*ev, "rpcMethod"); !method.empty()) {
    w["event"] = "rpc";
    inv.endpoint = "rpc " + method;
  } else if (ev->contains("mailFrom")) {
    w["event"] = "email";  // the addresses are personal data: not kept
    inv.endpoint = "email";
  } else if (ev->contains("consumedEvents")) {
    w["event"] = "tail";
  } else if (ev->contains("scheduledTime")) {
    w["event"] = "alarm";
    inv.endpoint = "alarm";
  }
}

invocation invocation_of(const json& item) {
  invocation inv;
  inv.script = string_at(item, "scriptName");
  inv.outcome = string_at(item, "outcome");
  inv.ts = millis_at(item, "eventTimestamp");
  json& w = inv.worker;
  if (!inv.script.empty()) w["script"] = inv.script;
  for (auto [from, to] : {std::pair{"entrypoint", "entrypoint"}, {"dispatchNamespace", "dispatch_namespace"}})
    if (std::string v = string_at(item, from); !v.empty()) w[to] = v;
  if (!inv.outcome.empty()) w["outcome"] = inv.outcome;
  for (auto [from, to] : {std::pair{"cpuTime", "cpu_ms"}, {"wallTime", "wall_ms"}})
    if (double ms = millis_at(item, from); std::isfinite(ms)) w[to] = ms;
  if (auto t = item.find("truncated"); t != item.end() && t->is_boolean() && t->get<bool>()) w["truncated"] = true;
  if (const json* version = object_at(item, "scriptVersion")) {
    inv.release = string_at(*version, "tag");
    if (inv.release.empty()) inv.release = string_at(*version, "id");
  }
  read_trigger(item, inv);
  return inv;
}

// The fields every event of the invocation carries; `ctx` gets ctx.worker.
bool put_invocation(event_builder& f, const invocation& inv, json ctx, double ts) {
  if (!std::isfinite(ts)) ts = inv.ts;
  if (!std::isfinite(ts)) f.ts_now();
  else if (!f.ts_number(ts)) return false;
  f.text(event_field::source, inv.script.empty() ? "worker" : inv.script);
  f.text(event_field::release, inv.release);
  f.text(event_field::endpoint, inv.endpoint);
  f.text(event_field::request_id, inv.request_id);
  ctx["worker"] = inv.worker;
  return f.object(event_field::ctx, text_of(ctx));
}

bool put_exception(event_builder& f, const invocation& inv, const json& ex) {
  std::string name = string_at(ex, "name"), message = string_at(ex, "message"), stack = string_at(ex, "stack");
  std::string head = name.empty() ? message : message.empty() ? name : name + ": " + message;
  if (head.empty()) head = "uncaught exception";
  f.level_value(level::error);
  if (!f.message(head) || !put_invocation(f, inv, json::object(), millis_at(ex, "timestamp"))) return false;
  // V8's stack without its first line (the runtime gives name and message apart): led by it again,
  // as every stack edgelog stores.
  if (!stack.empty()) f.text(event_field::stack, head + "\n" + stack);
  return true;
}

std::optional<level> console_level(std::string_view name) {
  if (name == "log") return level::info;
  return parse_level(name);  // debug, info, warn, error, trace
}

// One console line as the runtime gave it: its arguments, already JSON (an Error as its text).
struct line {
  level severity = level::info;
  std::string message;
  json fields = json::object();  // a structured line's other fields
};

// A line of one object (or one string holding a JSON object) is structured logging: its message,
// msg and level are the event's, the rest goes to ctx. Otherwise the arguments are joined as the
// console prints them.
line line_of(const json& log) {
  line out;
  out.severity = console_level(string_at(log, "level")).value_or(level::info);
  const json empty = json::array();
  auto it = log.find("message");
  const json& args = it == log.end() ? empty : *it;
  json object;
  if (args.is_array() && args.size() == 1) {
    if (args[0].is_object()) object = args[0];
    else if (args[0].is_string() && args[0].get_ref<const std::string&>().starts_with("{"))
      object = json::parse(args[0].get_ref<const std::string&>(), nullptr, false);
  }
  if (object.is_object()) {
    for (auto& [key, value] : object.items()) {
      if ((key == "message" || key == "msg") && value.is_string() && out.message.empty()) out.message = value.get<std::string>();
      else if (key == "level" && value.is_string() && parse_level(value.get<std::string>()))
        out.severity = *parse_level(value.get<std::string>());
      else out.fields[key] = value;
    }
    if (out.message.empty()) out.message = text_of(object);
    return out;
  }
  const auto join = [&](const json& arg) {
    if (!out.message.empty()) out.message += ' ';
    out.message += arg.is_string() ? arg.get<std::string>() : text_of(arg);
  };
  if (args.is_array()) for (const auto& arg : args) join(arg);
  else if (!args.is_null()) join(args);
  return out;
}

// True when a line below warn is among the share kept: FNV-1a of its time and text, so a line is
// kept or dropped the same way wherever it is read.
bool sampled_in(const json& log, const std::string& message, double share) {
  if (share >= 1) return true;
  if (!(share > 0)) return false;
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  };
  mix(text_of(log.value("timestamp", json())));
  mix(message);
  return static_cast<double>(h >> 11) * 0x1p-53 < share;
}

// The words for an outcome other than ok; warn for the ones the client caused.
std::pair<level, std::string> failure_of(const std::string& outcome) {
  if (outcome == "exceededCpu") return {level::error, "exceeded its CPU time limit"};
  if (outcome == "exceededMemory") return {level::error, "exceeded its memory limit"};
  if (outcome == "exception") return {level::error, "ended with an uncaught exception"};
  if (outcome == "scriptNotFound") return {level::error, "was not found"};
  if (outcome == "canceled") return {level::warn, "was canceled (the client went away)"};
  if (outcome == "responseStreamDisconnected") return {level::warn, "lost its response stream (the client went away)"};
  return {level::error, "ended with outcome " + outcome};
}

void read_item(const json& item, double share, event_sink& out) {
  invocation inv = invocation_of(item);
  std::string who = "Worker " + (inv.script.empty() ? std::string("worker") : inv.script);
  auto exceptions = item.find("exceptions");
  bool threw = exceptions != item.end() && exceptions->is_array() && !exceptions->empty();
  if (threw) {
    for (const auto& ex : *exceptions) {
      if (!out.begin()) return;
      if (ex.is_object()) out.end(put_exception(out.fields(), inv, ex));
      else out.not_an_object();
    }
  }
  if (auto logs = item.find("logs"); logs != item.end() && logs->is_array()) {
    for (const auto& log : *logs) {
      if (!log.is_object()) continue;
      line l = line_of(log);
      if (l.message.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // console.log() alone
      if (l.severity < level::warn && !sampled_in(log, l.message, share)) continue;
      if (!out.begin()) return;
      event_builder& f = out.fields();
      f.level_value(l.severity);
      out.end(f.message(l.message) && put_invocation(f, inv, std::move(l.fields), millis_at(log, "timestamp")));
    }
  }
  // A failure no exception explains: an outcome the runtime decided, or a 5xx the Worker answered
  // (once per item: a piece that continues an item cut in pieces carries only lines).
  if (auto more = item.find("continued"); more != item.end() && more->is_boolean() && more->get<bool>()) return;
  std::string message;
  level severity = level::error;
  if (!threw && !inv.outcome.empty() && inv.outcome != "ok") std::tie(severity, message) = failure_of(inv.outcome);
  else if (!threw && inv.status >= 500) message = "answered HTTP " + std::to_string(inv.status);
  if (message.empty() || !out.begin()) return;
  event_builder& f = out.fields();
  f.level_value(severity);
  out.end(f.message(who + " " + message) && put_invocation(f, inv, json::object(), std::nan("")));
}

}  // namespace

void read_cloudflare_tail(std::string_view body, event_sink& out) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return out.refuse(errc::invalid_json);
  auto items = doc.is_object() ? doc.find("items") : doc.end();
  if (items == doc.end() || !items->is_array()) return out.refuse(errc::invalid_body);
  double share = 1;
  if (auto s = doc.find("log_sample"); s != doc.end() && s->is_number()) share = s->get<double>();
  for (const auto& item : *items)
    if (item.is_object()) read_item(item, share, out);
  // Invocations with nothing to report (the usual case) are no error.
  out.result().empty_ok = true;
}

}  // namespace edgelog
