// The encoder's answers besides ingest: reads, insights, alerts, digests, tickets, rules and the
// vocabulary, each a JSON document with named members.
#include <algorithm>
#include <cstdio>

#include "detail/json_writer.h"
#include "edgelog/ingest/passes/categorize.h"
#include "edgelog/integrations/ticket.h"
#include "edgelog/vocabulary.h"
#include "encode.h"

namespace edgelog {
namespace {

using detail::json_writer;

// {"code","field","message"[,"position"]}: what is wrong with a filter.
void write_problem_fields(json_writer& w, const query_problem& p) {
  w.raw("{\"code\":\"bad_request\",\"field\":");
  w.string(p.field);
  w.raw(",\"message\":");
  w.string(p.message);
  if (p.position) {
    w.raw(",\"position\":");
    w.integer(static_cast<std::int64_t>(*p.position));
  }
  w.ch('}');
}

void write_problem(json_writer& w, const query_problem& p) {
  w.raw("{\"error\":");
  write_problem_fields(w, p);
  w.ch('}');
}

// The end every read answer shares: ,"scanned","matched","damaged"}.
void write_tally(json_writer& w, const scan_tally& t) {
  w.raw(",\"scanned\":");
  w.integer(static_cast<std::int64_t>(t.scanned));
  w.raw(",\"matched\":");
  w.integer(static_cast<std::int64_t>(t.matched));
  w.raw(",\"damaged\":[");
  for (std::size_t i = 0; i < t.damaged.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"segment\":");
    w.integer(t.damaged[i].segment);
    w.raw(",\"code\":");
    w.string(error_code(t.damaged[i].code));
    w.ch('}');
  }
  w.raw("]}");
}

void write_fixed(json_writer& w, const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  w.raw(buf);
}

template <typename T>
void write_list(json_writer& w, const T& items) {
  w.ch('[');
  bool first = true;
  for (const auto& item : items) {
    if (!first) w.ch(',');
    first = false;
    w.string(item);
  }
  w.ch(']');
}

}  // namespace

std::string encode_failure(errc code) {
  std::string out;
  json_writer w(out);
  w.raw("{\"status\":500,\"error\":{\"code\":");
  w.string(error_code(code));
  w.raw(",\"message\":");
  w.string(error_message(code));
  w.raw("}}");
  return out;
}

namespace {
// A filter in the read API's shape: {"q", "levels", "<field>": value, "not": {field: [values]}}.
void write_spec(json_writer& w, const filter_spec& f) {
  w.raw("{\"q\":");
  w.string(f.q);
  w.raw(",\"levels\":");
  write_list(w, f.levels);
  for (const auto& [field, value] : f.equals) {
    w.ch(',');
    w.string(field);
    w.ch(':');
    w.string(value);
  }
  w.raw(",\"not\":{");
  std::vector<std::string> done;
  for (const auto& [field, ignored] : f.not_equals) {
    if (std::find(done.begin(), done.end(), field) != done.end()) continue;
    if (!done.empty()) w.ch(',');
    done.push_back(field);
    w.string(field);
    w.raw(":[");
    bool first = true;
    for (const auto& [other, value] : f.not_equals) {
      if (other != field) continue;
      if (!first) w.ch(',');
      first = false;
      w.string(value);
    }
    w.ch(']');
  }
  w.raw("}}");
}
}  // namespace

std::string encode_prune(const prune_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    if (!r.reading) {
      write_problem(w, *r.problem);
      return out;
    }
    // The reading of a query bar with what is wrong with it: the dashboard shows both.
    w.raw("{\"reading\":");
    write_spec(w, *r.reading);
    w.raw(",\"error\":");
    write_problem_fields(w, *r.problem);
    w.ch('}');
    return out;
  }
  w.raw("{");
  if (r.reading) {
    w.raw("\"reading\":");
    write_spec(w, *r.reading);
    w.ch(',');
  }
  w.raw("\"candidates\":[");
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    if (i) w.ch(',');
    w.integer(r.candidates[i]);
  }
  w.raw("],\"terms\":");
  write_list(w, r.terms);
  w.raw(",\"narrows\":");
  w.raw(r.narrows ? "true" : "false");
  w.raw(",\"levels\":");
  write_list(w, r.levels);
  w.raw(",\"filters\":");
  write_list(w, r.filters);
  w.raw(",\"covered_id\":");
  w.integer(r.covered_id);
  w.ch('}');
  return out;
}

std::string encode_rows(const rows_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  w.raw("{\"rows\":[");
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i) w.ch(',');
    write_event_json(out, *r.rows[i].event, r.rows[i].key.id, r.rows[i].segment->project, r.rows[i].segment->received_at,
                     r.rows[i].segment->in_app_rules.get());
  }
  w.raw("],\"keys\":[");
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"ts\":");
    w.integer(r.rows[i].key.ts);
    w.raw(",\"id\":");
    w.integer(r.rows[i].key.id);
    w.ch('}');
  }
  w.raw("],\"covered_id\":");
  w.integer(r.covered_id);
  write_tally(w, r.tally);
  return out;
}

std::string encode_forward(const forward_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  w.raw("{\"body\":");
  w.string(r.body);
  w.raw(",\"count\":");
  w.integer(static_cast<std::int64_t>(r.count));
  w.raw(",\"last_id\":");
  w.integer(r.last_id);
  w.raw(",\"more\":");
  w.raw(r.more ? "true" : "false");
  w.raw(",\"covered_id\":");
  w.integer(r.covered_id);
  write_tally(w, r.tally);
  return out;
}

std::string encode_recode(const recode_result& r) {
  std::string out;
  json_writer w(out);
  w.raw("{\"segments\":[");
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"id\":");
    w.integer(r.segments[i].first);
    w.raw(",\"data\":\"");
    w.raw(r.segments[i].second);  // base64: nothing to escape
    w.raw("\"}");
  }
  w.raw("],\"current\":");
  w.integer(static_cast<std::int64_t>(r.current));
  write_tally(w, r.tally);
  return out;
}

std::string encode_histogram(const histogram_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  w.raw("{\"counts\":[");
  for (std::size_t i = 0; i < r.counts.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"bucket\":");
    w.integer(r.counts[i].bucket);
    w.raw(",\"level\":\"");
    w.raw(level_name(r.counts[i].severity));
    w.raw("\",\"events\":");
    w.integer(r.counts[i].events);
    w.ch('}');
  }
  w.ch(']');
  write_tally(w, r.tally);
  return out;
}

std::string encode_facets(const facets_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  w.raw("{\"facets\":[");
  for (std::size_t i = 0; i < r.facets.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"field\":");
    w.string(r.facets[i].field);
    w.raw(",\"value\":");
    w.string(r.facets[i].value);
    w.raw(",\"events\":");
    w.integer(r.facets[i].events);
    w.ch('}');
  }
  w.ch(']');
  write_tally(w, r.tally);
  return out;
}

// {"by", "measures", "rows": [{"key": [...], "values": [...], "series"?: [[start, v...]]}], "groups",
//  "other", "interval"?, "uncharted"?, "state", tally}
std::string encode_aggregate(const aggregate_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  auto strings = [&](const std::vector<std::string>& list) {
    w.ch('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) w.ch(',');
      w.string(list[i]);
    }
    w.ch(']');
  };
  auto values = [&](const std::vector<std::optional<double>>& list) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      if (k) w.ch(',');
      if (list[k]) w.number(*list[k]);
      else w.raw("null");
    }
  };
  w.raw("{\"by\":");
  strings(r.by);
  w.raw(",\"measures\":");
  strings(r.measures);
  w.raw(",\"rows\":[");
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    if (i) w.ch(',');
    w.raw("{\"key\":[");
    for (std::size_t k = 0; k < r.rows[i].key.size(); ++k) {
      if (k) w.ch(',');
      if (r.rows[i].key[k]) w.string(*r.rows[i].key[k]);
      else w.raw("null");
    }
    w.raw("],\"values\":[");
    values(r.rows[i].values);
    w.ch(']');
    if (r.interval > 0) {
      w.raw(",\"series\":[");
      for (std::size_t b = 0; b < r.rows[i].series.size(); ++b) {
        if (b) w.ch(',');
        w.ch('[');
        w.integer(r.rows[i].series[b].first);
        w.ch(',');
        values(r.rows[i].series[b].second);
        w.ch(']');
      }
      w.ch(']');
    }
    w.ch('}');
  }
  w.raw("],\"groups\":");
  w.integer(static_cast<std::int64_t>(r.groups));
  w.raw(",\"other\":");
  w.integer(static_cast<std::int64_t>(r.other));
  if (r.interval > 0) {
    w.raw(",\"interval\":");
    w.integer(r.interval);
    w.raw(",\"uncharted\":");
    w.integer(static_cast<std::int64_t>(r.uncharted));
  }
  w.raw(",\"state\":");
  w.raw(r.state.dump(-1, ' ', true));
  write_tally(w, r.tally);
  return out;
}

std::string encode_rules_preview(const rules_preview_result& r) {
  std::string out;
  json_writer w(out);
  if (r.problem) {
    write_problem(w, *r.problem);
    return out;
  }
  const rules_preview& p = r.preview;
  auto lines = [&](const char* name, const std::vector<rule_line_count>& counts) {
    w.raw(name);
    w.ch('[');
    for (std::size_t i = 0; i < counts.size(); ++i) {
      if (i) w.ch(',');
      w.raw("{\"line\":");
      w.integer(counts[i].line);
      w.raw(",\"matches\":");
      w.integer(counts[i].matches);
      w.raw(",\"decides\":");
      w.integer(counts[i].decides);
      w.ch('}');
    }
    w.ch(']');
  };
  w.raw("{\"events\":");
  w.integer(p.events);
  w.raw(",\"issues_now\":");
  w.integer(static_cast<std::int64_t>(p.issues_now));
  w.raw(",\"issues_after\":");
  w.integer(static_cast<std::int64_t>(p.issues_after));
  w.raw(",\"paged_now\":");
  w.integer(p.paged_now);
  w.raw(",\"paged_after\":");
  w.integer(p.paged_after);
  lines(",\"fingerprint_lines\":", p.fingerprint_lines);
  lines(",\"page_lines\":", p.page_lines);
  lines(",\"in_app_lines\":", p.in_app_lines);
  w.raw(",\"problems\":");
  write_list(w, p.problems);
  write_tally(w, r.tally);
  return out;
}

std::string encode_baseline(const std::vector<baseline_band>& hours) {
  std::string out;
  json_writer w(out);
  w.raw("{\"hours\":[");
  for (std::size_t i = 0; i < hours.size(); ++i) {
    const auto& b = hours[i];
    if (i) w.ch(',');
    w.raw("{\"hour\":");
    w.integer(b.hour);
    write_fixed(w, ",\"expected\":%.3f", b.expected);
    write_fixed(w, ",\"low\":%.3f", b.low);
    write_fixed(w, ",\"high\":%.3f", b.high);
    w.raw(",\"basis\":\"");
    w.raw(baseline_basis_name(b.basis));
    w.raw("\"}");
  }
  w.raw("]}");
  return out;
}

std::string encode_trending(const std::vector<trend>& ranked) {
  std::string out;
  json_writer w(out);
  w.raw("{\"trending\":[");
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const auto& t = ranked[i];
    if (i) w.ch(',');
    w.raw("{\"key\":");
    w.string(t.fingerprint);
    w.raw(",\"recent\":");
    w.integer(static_cast<std::int64_t>(t.recent));
    write_fixed(w, ",\"expected\":%.2f", t.expected);
    write_fixed(w, ",\"growth\":%.2f", t.growth);
    w.raw(",\"is_new\":");
    w.raw(t.is_new ? "true" : "false");
    w.ch('}');
  }
  w.raw("]}");
  return out;
}

std::string encode_suggest(const std::optional<suggestion>& s) {
  std::string out;
  json_writer w(out);
  w.raw("{\"suggestion\":");
  if (!s) {
    w.raw("null}");
    return out;
  }
  w.raw("{\"hint\":");
  w.string(s->hint);
  w.raw(",\"text\":");
  w.string(s->text);
  w.raw("}}");
  return out;
}

std::string encode_suspect(const std::optional<suspect_verdict>& v) {
  std::string out;
  json_writer w(out);
  w.raw("{\"suspect\":");
  if (!v) {
    w.raw("null}");
    return out;
  }
  w.raw("{\"release\":");
  w.string(v->release);
  w.raw(",\"first_seen\":");
  w.integer(v->release_first_seen);
  w.raw(",\"lag_ms\":");
  w.integer(v->lag_ms);
  w.raw(",\"share\":");
  w.integer(v->share);
  w.raw(",\"text\":");
  w.string(v->text);
  w.raw("}}");
  return out;
}

namespace {
void write_payloads(json_writer& w, const std::vector<std::pair<destination_kind, std::string>>& payloads) {
  w.ch('{');
  for (std::size_t k = 0; k < payloads.size(); ++k) {
    if (k) w.ch(',');
    w.key(destination_kind_name(payloads[k].first));
    w.raw(payloads[k].second);
  }
  w.ch('}');
}
}  // namespace

std::string encode_alerts(const std::vector<alert_outcome>& outcomes) {
  std::string out;
  json_writer w(out);
  w.raw("{\"decisions\":[");
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    const auto& d = o.decision;
    if (i) w.ch(',');
    w.raw("{\"action\":");
    w.string(o.test ? "test" : o.storage ? "storage" : d.action == alert_action::fire ? "fire" : d.action == alert_action::suppress ? "suppress" : "summary");
    w.raw(",\"rule_id\":");
    w.integer(d.rule.id);
    w.raw(",\"fingerprint\":");
    w.string(d.fingerprint);
    w.raw(",\"count\":");
    w.integer(static_cast<std::int64_t>(d.count));
    w.raw(",\"last_suppressed_at\":");
    w.integer(d.last_suppressed_at);
    w.raw(",\"cooldown_ms\":");
    w.integer(o.test || o.storage ? 0 : claim_cooldown_ms(d.rule));
    if (o.test || o.storage || d.action != alert_action::suppress) {
      w.raw(",\"payloads\":");
      write_payloads(w, o.payloads);
    }
    w.ch('}');
  }
  w.raw("]}");
  return out;
}

std::string encode_payloads(const std::vector<std::pair<destination_kind, std::string>>& payloads) {
  std::string out;
  json_writer w(out);
  w.raw("{\"payloads\":");
  write_payloads(w, payloads);
  w.ch('}');
  return out;
}

std::string encode_ticket(std::string_view body, std::string_view fingerprint) {
  std::string out;
  json_writer w(out);
  w.raw("{\"body\":");
  w.raw(body);
  w.raw(",\"marker\":");
  w.string(ticket_marker(fingerprint));
  w.raw(",\"label\":");
  w.string(ticket_label(fingerprint));
  w.ch('}');
  return out;
}

std::string encode_rule_errors(const std::vector<std::string>& errors) {
  std::string out;
  json_writer w(out);
  w.raw("{\"errors\":");
  write_list(w, errors);
  w.ch('}');
  return out;
}

std::string encode_vocabulary(std::uint32_t abi_version) {
  std::string out;
  json_writer w(out);
  w.raw("{\"abi\":");
  w.integer(abi_version);
  w.raw(",\"levels\":[");
  bool first = true;
  for (level l : all_levels()) {
    if (!first) w.ch(',');
    first = false;
    w.string(level_name(l));
  }
  w.raw("],\"filter_fields\":[");
  for (std::size_t i = 0; i < equality_fields.size(); ++i) {
    if (i) w.ch(',');
    w.string(stored_field_name(equality_fields[i]));
  }
  w.raw("],\"alert_kinds\":[");
  for (std::size_t i = 0; i < alert_kinds().size(); ++i) {
    const auto& k = alert_kinds()[i];
    if (i) w.ch(',');
    w.raw("{\"name\":");
    w.string(k.name);
    w.raw(",\"label\":");
    w.string(k.label);
    w.raw(",\"summary\":");
    w.string(k.summary);
    w.raw(",\"fields\":");
    write_list(w, k.fields);
    w.raw(",\"on_ingest\":");
    w.raw(k.on_ingest ? "true" : "false");
    w.ch('}');
  }
  w.raw("],\"destination_kinds\":");
  write_list(w, destination_kind_names());
  w.raw(",\"sensitivities\":");
  write_list(w, sensitivity_names());
  w.raw(",\"anomaly_scopes\":");
  write_list(w, anomaly_scope_names());
  w.raw(",\"actions\":[");
  for (auto a : {action::aggregate, action::notify, action::page}) {
    if (a != action::aggregate) w.ch(',');
    w.string(action_name(a));
  }
  w.raw("],\"events_per_segment\":");
  w.integer(static_cast<std::int64_t>(segment_max_events));
  w.raw(",\"limits\":{");
  for (std::size_t i = 0; i < setting_limits().size(); ++i) {
    const auto& l = setting_limits()[i];
    if (i) w.ch(',');
    w.key(l.name);
    w.raw("{\"min\":");
    w.integer(l.min);
    w.raw(",\"max\":");
    w.integer(l.max);
    w.ch('}');
  }
  w.raw("},\"query\":{\"max_query_chars\":");
  w.integer(static_cast<std::int64_t>(read_query_limits.max_query_chars));
  w.raw(",\"max_query_terms\":");
  w.integer(static_cast<std::int64_t>(read_query_limits.max_query_terms));
  w.raw(",\"max_query_depth\":");
  w.integer(static_cast<std::int64_t>(read_query_limits.max_query_depth));
  w.raw(",\"max_value_chars\":");
  w.integer(static_cast<std::int64_t>(read_query_limits.max_value_chars));
  w.raw(",\"max_excluded_values\":");
  w.integer(static_cast<std::int64_t>(read_query_limits.max_excluded_values));
  w.raw("}}");
  return out;
}

}  // namespace edgelog
