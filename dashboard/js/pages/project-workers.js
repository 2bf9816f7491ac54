// A project's Cloudflare Workers: the producer Workers whose Tail Worker is edgelog, mapped to this
// project by script name (or '*' for any other), with the share of their info lines kept; the
// producers seen but mapped nowhere, to map with one click; and the lines to add to a Worker.
import { api } from "../components/api.js";
import { attempt, copyButton, errorBox, fmtAgo, fmtNumber, h, replace } from "../components/dom.js";

const snippet = (consumer) => `tail_consumers = [{ service = "${consumer}" }]`;

const share = (x) => `${Math.round(x * 100)} %`;
const name = (script) => (script === "*" ? h("span", {}, h("code", {}, "*"), " any other Worker") : h("code", {}, script));

/** The panel for project `slug`. */
export function workersPanel(slug) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/workers`;
  const panel = h("section.panel", { "data-settings": "workers" }, h("h2", {}, "Cloudflare Workers"), h("p.muted", {}, "Loading…"));
  const load = async () => {
    try {
      draw(await api(base));
    } catch (err) {
      replace(panel, h("h2", {}, "Cloudflare Workers"), errorBox(err));
    }
  };
  const map = (script, logSample) => attempt(() => api(base, { method: "POST", body: { script, log_sample: logSample } }),
    `${script === "*" ? "Any Worker" : script} now logs here`, load);
  const row = (w) => h("tr", { "data-worker": w.script },
    h("td", {}, name(w.script)),
    h("td", {}, h("select", {
      "aria-label": `Info lines kept from ${w.script}`,
      onchange: (e) => attempt(() => api(`${base}/${encodeURIComponent(w.script)}`, { method: "PATCH", body: { log_sample: Number(e.target.value) } }),
        "Share saved", load),
    }, [1, 0.5, 0.1, 0.01, 0].map((x) => h("option", { value: x, selected: x === w.log_sample }, share(x))))),
    h("td", {}, fmtNumber(w.events), h("div.muted", {}, w.last_seen ? `last ${fmtAgo(w.last_seen)}` : "nothing yet")),
    h("td", {}, h("button.danger", { type: "button", onclick: () => confirm(`Stop logging ${w.script} here?`) &&
      attempt(() => api(`${base}/${encodeURIComponent(w.script)}`, { method: "DELETE" }), "Worker removed", load) }, "Remove")));
  const unmappedRow = (w, anyHere) => h("tr", { "data-unmapped": w.script },
    h("td", {}, h("code", {}, w.script)),
    h("td", {}, anyHere ? "through *" : `${fmtNumber(w.dropped)} dropped`, h("div.muted", {}, w.last_seen ? `last ${fmtAgo(w.last_seen)}` : "")),
    h("td", {}, h("button", { type: "button", onclick: () => map(w.script, 1) }, "Log here")));
  const draw = ({ consumer, workers, unmapped }) => {
    const script = h("input", { name: "worker_script", required: true, placeholder: "checkout-api, or * for any other" });
    const sample = h("select", { name: "worker_log_sample" }, [1, 0.5, 0.1, 0.01, 0].map((x) => h("option", { value: x }, share(x))));
    const anyHere = workers.some((w) => w.script === "*");
    replace(panel, h("h2", {}, "Cloudflare Workers"),
      h("p.muted", {}, "A Worker that names edgelog as its Tail Worker sends its uncaught exceptions, console lines and failed requests here, with no SDK. Add to its wrangler.toml, then deploy it:"),
      h("div.toolbar", {}, h("code", { "data-snippet": "" }, snippet(consumer)), copyButton(snippet(consumer))),
      workers.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["Worker", "Info lines kept", "Events", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, workers.map(row)))) : h("p.muted", {}, "No Worker logs here yet."),
      unmapped.length ? h("div", {}, h("h3", {}, "Seen, not mapped"),
        h("p.muted", {}, "Workers whose tail reached edgelog with no project of their own."),
        h("div.table-wrap", {}, h("table", {}, h("tbody", {}, unmapped.map((w) => unmappedRow(w, anyHere)))))) : null,
      h("form.stack", {
        "aria-label": "Map a Worker",
        onsubmit: (e) => {
          e.preventDefault();
          map(script.value.trim(), Number(sample.value));
        },
      }, h("label", {}, "Worker (script name)", script), h("label", {}, "Info and debug lines kept", sample,
        h("span.muted", {}, "warnings, errors, exceptions and failed requests are always kept")),
      h("button.primary", { type: "submit" }, "Log this Worker here")));
  };
  load();
  return panel;
}
