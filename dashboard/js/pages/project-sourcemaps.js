// A project's source maps: the releases uploaded (files, maps, size, last upload), each opened to
// its files (URL, kind, debug ID, size), deleted per release or per file; and the command that
// uploads a build.
import { api } from "../components/api.js";
import { attempt, copyButton, errorBox, fmtAgo, fmtNumber, h, replace } from "../components/dom.js";

const size = (bytes) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);
const count = (n, one) => `${fmtNumber(n)} ${one}${n === 1 ? "" : "s"}`;
const command = (slug) => `npx @edgelog/client sourcemaps upload ./dist --project ${slug} --release <version>`;

/** The panel for project `slug`. */
export function sourceMapsPanel(slug) {
  const base = `/api/admin/projects/${encodeURIComponent(slug)}/sourcemaps`;
  const panel = h("section.panel", { "data-settings": "sourcemaps" }, h("h2", {}, "Source maps"), h("p.muted", {}, "Loading…"));
  const load = async () => {
    try {
      draw(await api(base));
    } catch (err) {
      replace(panel, h("h2", {}, "Source maps"), errorBox(err));
    }
  };
  const query = (release) => `release=${encodeURIComponent(release ?? "")}`;
  const label = (release) => release ?? "(no release)";

  // The files of one release, listed under its row when opened.
  const filesOf = async (release, into) => {
    try {
      const { files } = await api(`${base}?${query(release)}`);
      replace(into, h("td", { colspan: 5 }, h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["File", "Kind", "Debug ID", "Size", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, files.map((f) => h("tr", { "data-source-file": f.url },
          h("td", {}, h("code", {}, f.url)), h("td", {}, f.kind),
          h("td", {}, f.debug_id ? h("code", {}, f.debug_id) : h("span.muted", {}, "none: by release and URL")),
          h("td", {}, size(f.bytes)),
          h("td", {}, h("button.danger", { type: "button", "data-needs": "admin", onclick: () => confirm(`Delete ${f.url}?`) &&
            attempt(() => api(`${base}/${f.id}`, { method: "DELETE" }), "File deleted", load) }, "Delete")))))))));
    } catch (err) {
      replace(into, h("td", { colspan: 5 }, errorBox(err)));
    }
  };

  const row = (r) => {
    const details = h("tr", { hidden: true });
    const open = h("button", { type: "button", "aria-expanded": "false", onclick: () => {
      const opening = details.hidden;
      details.hidden = !opening;
      open.setAttribute("aria-expanded", String(opening));
      open.textContent = opening ? "Hide files" : "Files";
      if (opening) filesOf(r.release, details);
    } }, "Files");
    return [h("tr", { "data-release": r.release ?? "" },
      h("td", {}, r.release === null ? h("span.muted", {}, label(null)) : h("code", {}, r.release)),
      h("td", {}, `${count(r.files, "file")}, ${count(r.maps, "map")}`),
      h("td", {}, size(r.bytes), h("div.muted", {}, `${size(r.stored_bytes)} stored`)),
      h("td", {}, fmtAgo(r.last_upload)),
      h("td", {}, open, " ", h("button.danger", { type: "button", "data-needs": "admin", onclick: () => confirm(`Delete the files of ${label(r.release)}?`) &&
        attempt(() => api(`${base}?${query(r.release)}`, { method: "DELETE" }), `${label(r.release)} deleted`, load) }, "Delete"))),
    details];
  };

  const draw = ({ releases }) => {
    replace(panel, h("h2", {}, "Source maps"),
      h("p.muted", {}, "Minified JavaScript stacks read as your source once their maps are here. Upload a build (debug IDs are added to bundles that lack them):"),
      h("div.toolbar", {}, h("code", { "data-snippet": "" }, command(slug)), copyButton(command(slug))),
      releases.length ? h("div.table-wrap", {}, h("table", {},
        h("thead", {}, h("tr", {}, ["Release", "Files", "Size", "Uploaded", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, releases.flatMap(row)))) : h("p.muted", {}, "No source maps uploaded yet."));
  };
  load();
  return panel;
}
