// A project's settings as an operator thinks of them: retention (with per-level overrides), limits
// in human units beside the live rate, scrubbing, and fingerprint and page rules with a preview of
// what they would do to the newest 1,000 events before they are saved.
import { api } from "../components/api.js";
import { fmtNumber, h, replace } from "../components/dom.js";
import { levels, limit } from "../components/vocabulary.js";


/** "512 KiB", "1 MiB", "900 B". */
export function fmtBytes(n) {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} B`;
}

/** "36 h", "3 days", "2 weeks". */
export function fmtHours(hours) {
  if (hours % 168 === 0) return `${hours / 168} week${hours === 168 ? "" : "s"}`;
  if (hours % 24 === 0) return `${hours / 24} day${hours === 24 ? "" : "s"}`;
  return `${hours} h`;
}

const number = (name, value, attrs = {}) => h("input", { name, type: "number", min: 0, value, ...attrs });
const lines = (list) => (list ?? []).join("\n");
const listOf = (text) => text.split(/\n/).map((s) => s.trim()).filter(Boolean);

/** The settings panels; `save(changes)` PATCHes the project. */
export function settingsPanels(project, save) {
  return [retentionPanel(project, save), limitsPanel(project, save), scrubbingPanel(project, save), rulesPanel(project, save),
    digestsPanel(project, save)];
}

function digestsPanel(project, save) {
  const d = { daily: true, weekly: false, hour_utc: 8, ...(project.digests ?? {}) };
  const daily = h("input", { type: "checkbox", name: "digest_daily", checked: d.daily });
  const weekly = h("input", { type: "checkbox", name: "digest_weekly", checked: d.weekly });
  const hour = h("select", { name: "digest_hour" }, Array.from({ length: 24 }, (_, i) =>
    h("option", { value: i, selected: i === d.hour_utc }, `${String(i).padStart(2, "0")}:00 UTC`)));
  return h("section.panel", { "data-settings": "digests" }, h("h2", {}, "Digests"),
    h("form.stack", {
      "aria-label": "Digests",
      onsubmit: (e) => {
        e.preventDefault();
        save({ digests: { daily: daily.checked, weekly: weekly.checked, hour_utc: Number(hour.value) } });
      },
    }, h("p.muted", {}, "A summary to the project's alert destinations: new issues, regressions, what grows, anomaly alerts, errors against a week before, and what ingest dropped."),
    h("label.check", {}, daily, "Daily, covering the last 24 hours"), h("label.check", {}, weekly, "Weekly on Mondays, covering the last 7 days"),
    h("label", {}, "Sent at", hour), h("button.primary", { type: "submit" }, "Save digests")));
}

function retentionPanel(project, save) {
  const hours = limit("retention_hours");
  const base = number("retention_hours", project.retention_hours, hours);
  const shown = h("span.muted", {}, fmtHours(project.retention_hours));
  base.addEventListener("input", () => replace(shown, Number(base.value) >= 1 ? fmtHours(Number(base.value)) : ""));
  const overrides = Object.fromEntries(levels().map((l) => [l, number(`retention_${l}`, project.retention_overrides?.[l] ?? "",
    { ...hours, placeholder: String(project.retention_hours) })]));
  const hot = number("hot_hours", project.hot_hours, limit("hot_hours"));
  return h("section.panel", { "data-settings": "retention" }, h("h2", {}, "Retention"),
    h("form.stack", {
      "aria-label": "Retention",
      onsubmit: (e) => {
        e.preventDefault();
        const per = {};
        for (const [l, input] of Object.entries(overrides)) if (input.value) per[l] = Number(input.value);
        save({ retention_hours: Number(base.value), retention_overrides: per, hot_hours: Number(hot.value) });
      },
    }, h("label", {}, "Events are kept (hours)", base, shown),
    h("fieldset", {}, h("legend", {}, "Per level (hours; empty: as above)"),
      h("div.level-hours", {}, levels().map((l) => h("label", {}, l, overrides[l])))),
    h("label", {}, "Kept in the database (hours); older events move to R2", hot),
    h("p.muted", {}, "Issue summaries outlive their events by 30 days; the hourly counts baselines and anomaly alerts compare with are kept 28 days. Events on R2 read like the rest; the database keeps what searches prune with."),
    h("button.primary", { type: "submit" }, "Save retention")));
}

function limitsPanel(project, save) {
  const perMinute = number("events_per_minute", project.events_per_minute);
  const body = limit("max_body_bytes");
  const bodyKiB = number("max_body_kib", Math.round(project.max_body_bytes / 1024), { min: body.min / 1024, max: body.max / 1024 });
  const perRequest = number("max_events_per_request", project.max_events_per_request, limit("max_events_per_request"));
  const ipRate = number("ip_requests_per_minute", project.ip_requests_per_minute);
  const unsignedRate = number("unsigned_ip_requests_per_minute", project.unsigned_ip_requests_per_minute);
  const requireTs = h("input", { type: "checkbox", name: "require_timestamp", checked: project.require_timestamp });
  const rate = h("span.rate", { "data-live-rate": "" }, "…");
  // The live rate beside the limit: events stored in the last 5 minutes, per minute.
  api(`/api/stats?project=${encodeURIComponent(project.slug)}&from=5m`).then((s) => {
    const now = s.totals.events / 5;
    const limited = (s.outcomes ?? []).filter((o) => o.outcome === "rate_limited").reduce((n, o) => n + o.events, 0);
    replace(rate, `now ${fmtNumber(Math.round(now))}/min (last 5 min)`,
      project.events_per_minute ? ` · ${Math.round((now / project.events_per_minute) * 100)} % of the limit` : "",
      limited ? h("span.error-text", {}, ` · ${fmtNumber(limited)} refused by the limit`) : "");
  }).catch(() => replace(rate, ""));
  return h("section.panel", { "data-settings": "limits" }, h("h2", {}, "Limits"),
    h("form.stack", {
      "aria-label": "Limits",
      onsubmit: (e) => {
        e.preventDefault();
        save({ events_per_minute: Number(perMinute.value), max_body_bytes: Number(bodyKiB.value) * 1024,
          max_events_per_request: Number(perRequest.value), ip_requests_per_minute: Number(ipRate.value),
          unsigned_ip_requests_per_minute: Number(unsignedRate.value), require_timestamp: requireTs.checked });
      },
    }, h("label", {}, "Events per minute (0: no limit)", h("span.inline", {}, perMinute, rate)),
    h("label", {}, "Body size (KiB, after decompression; at most 512)", h("span.inline", {}, bodyKiB, h("span.rate", {}, `now ${fmtBytes(project.max_body_bytes)}`))),
    h("label", {}, "Events per request", perRequest),
    h("label", {}, "Requests per minute per client IP (0: no limit)", ipRate),
    h("label", {}, "… for unsigned keys (browsers, DSNs)", unsignedRate),
    h("label.check", {}, requireTs, "Require a signed timestamp (replay protection)"),
    h("button.primary", { type: "submit" }, "Save limits")));
}

function scrubbingPanel(project, save) {
  const s = project.scrubbing ?? {};
  const box = (name, label, on) => {
    const input = h("input", { type: "checkbox", name, checked: on });
    return [input, h("label.check", {}, input, label)];
  };
  const [enabled, enabledLabel] = box("scrub_enabled", "Mask secrets (passwords, tokens, cards, keys) before storage", s.enabled !== false);
  const [hash, hashLabel] = box("scrub_hash", "Replace with a hash rather than [Filtered] (still groups and searches)", Boolean(s.hash));
  const [emails, emailsLabel] = box("scrub_emails", "Mask e-mail addresses in text", Boolean(s.mask_emails));
  const [ips, ipsLabel] = box("scrub_ips", "Mask IP addresses in text", Boolean(s.mask_ips));
  const extra = h("textarea", { name: "extra_keys", rows: 3, placeholder: "one key per line, e.g. x-internal-token" }, lines(s.extra_keys));
  const allow = h("textarea", { name: "allow_keys", rows: 3, placeholder: "keys never masked, e.g. session_id" }, lines(s.allow_keys));
  const patterns = h("textarea", { name: "patterns", rows: 3, placeholder: "literal text masked wherever it appears, e.g. ACME-INTERNAL" }, lines(s.patterns));
  return h("section.panel.rules", { "data-settings": "scrubbing" }, h("h2", {}, "Scrubbing"),
    h("form.stack", {
      "aria-label": "Scrubbing",
      onsubmit: (e) => {
        e.preventDefault();
        save({ scrubbing: { enabled: enabled.checked, hash: hash.checked, mask_emails: emails.checked, mask_ips: ips.checked,
          extra_keys: listOf(extra.value), allow_keys: listOf(allow.value), patterns: listOf(patterns.value) } });
      },
    }, enabledLabel, hashLabel, emailsLabel, ipsLabel,
    h("label", {}, "Also mask these keys", extra), h("label", {}, "Never mask these keys", allow),
    h("label", {}, "Also mask this text (literal)", patterns),
    h("button.primary", { type: "submit" }, "Save scrubbing")));
}

function rulesPanel(project, save) {
  const fingerprint = h("textarea", { name: "fingerprint_rules", rows: 5, spellcheck: "false",
    placeholder: 'message:"*timed out*" -> db-timeouts\ntype:TypeError module:src/cart* -> cart' }, project.fingerprint_rules ?? "");
  const page = h("textarea", { name: "page_rules", rows: 3, spellcheck: "false",
    placeholder: 'env:production message:"*payment*"' }, project.page_rules ?? "");
  const inApp = h("textarea", { name: "in_app_rules", rows: 3, spellcheck: "false",
    placeholder: 'module:"com.acme.*" -> +app\nfile:"*/generated/*" -> -app' }, project.in_app_rules ?? "");
  const texts = () => ({ fingerprint_rules: fingerprint.value, page_rules: page.value, in_app_rules: inApp.value });
  const preview = h("div", { "data-rules-preview": "", "aria-live": "polite" });
  let timer = null;
  const run = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const p = await api(`/api/admin/projects/${encodeURIComponent(project.slug)}/rules/preview`,
          { method: "POST", body: texts() });
        replace(preview, previewOf(p, texts()));
      } catch (err) {
        replace(preview, h("p.error-text", {}, err.message));
      }
    }, 300);
  };
  for (const area of [fingerprint, page, inApp]) area.addEventListener("input", run);
  run();
  return h("section.panel.rules", { "data-settings": "rules" }, h("h2", {}, "Grouping and paging rules"),
    h("form.stack", {
      "aria-label": "Rules",
      onsubmit: (e) => {
        e.preventDefault();
        save(texts());
      },
    }, h("label", {}, "Fingerprint rules: matchers -> issue name, one per line", fingerprint),
    h("label", {}, "Page rules: errors matching any line are paged", page),
    h("p.muted", {}, "Fields: message, source, level, env, type, module, function, file, component, endpoint; case-insensitive globs; quote patterns with spaces."),
    h("label", {}, "In-app rules: which frames are your application's (module, function, file -> +app or -app; the last line matching a frame decides)", inApp),
    preview, h("button.primary", { type: "submit" }, "Save rules")));
}

/** "These rules would group the last 1,000 events into N issues; this line matches 37 events." */
function previewOf(p, { fingerprint_rules: fingerprintText, page_rules: pageText, in_app_rules: inAppText }) {
  if (!p.events) return h("p.muted", {}, "No events yet: the preview needs some to run the rules on.");
  const textOf = (text, line) => text.split("\n")[line - 1] ?? "";
  const captions = { groups: "Fingerprint rules", pages: "Page rules", decides: "In-app rules" };
  const table = (rows, text, verb) => rows?.length ? h("table.rule-counts", {}, h("caption.muted", {}, captions[verb]), h("tbody", {}, rows.map((r) => h("tr", { "data-line": r.line },
    h("td", {}, `line ${r.line}`), h("td", {}, textOf(text, r.line)),
    h("td.num", {}, `matches ${fmtNumber(r.matches)}`), h("td.num", {}, `${verb} ${fmtNumber(r.decides)}`))))) : null;
  return h("div", {},
    h("p", { "data-rules-summary": "" }, `These rules would group the last ${fmtNumber(p.events)} events into `,
      h("strong", {}, `${fmtNumber(p.issues_after)} issue${p.issues_after === 1 ? "" : "s"}`),
      ` (now ${fmtNumber(p.issues_now)}), and page `, h("strong", {}, fmtNumber(p.paged_after)), ` of them (now ${fmtNumber(p.paged_now)}).`),
    table(p.fingerprint_lines, fingerprintText, "groups"),
    table(p.page_lines, pageText, "pages"),
    table(p.in_app_lines, inAppText, "decides"),
    p.problems.length ? h("ul.error-text", {}, p.problems.map((x) => h("li", {}, `${x}: the core would skip this line`))) : null);
}
