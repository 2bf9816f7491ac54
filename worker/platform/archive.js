// Tar archives (POSIX ustar, with pax and GNU long names), read from bytes already in memory: the
// files and their names as the archive holds them. Names are not trusted here; callers check them.

const BLOCK = 512;
const decoder = new TextDecoder();

const text = (bytes, from, length) => {
  const field = bytes.subarray(from, from + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
};

function octal(bytes, from, length) {
  const s = text(bytes, from, length).trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : s === "" ? 0 : NaN;
}

// A pax header's records ("<len> key=value\n"): the path, when it names one.
function paxPath(bytes) {
  const records = decoder.decode(bytes);
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(records);
  return m ? m[1] : null;
}

/** The regular files of a tar: [{name, bytes}] (bytes are views into `tar`), or {error} when the
 *  archive is cut short or a header is broken. At most `maxFiles` files. */
export function readTar(tar, { maxFiles = 10_000 } = {}) {
  const files = [];
  let longName = null;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // the end: two zero blocks (one is enough to stop)
    const size = octal(header, 124, 12);
    if (!Number.isSafeInteger(size)) return { error: `a broken tar header at byte ${at}` };
    const type = String.fromCharCode(header[156] || 48); // '\0' is a regular file too
    const start = at + BLOCK;
    if (start + size > tar.length) return { error: `the archive ends inside ${text(header, 0, 100) || "a file"}` };
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === "g") continue;
    const prefix = text(header, 257, 6).startsWith("ustar") ? text(header, 345, 155) : "";
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = null;
    if (type !== "0" && type !== "7") continue; // directories, links, devices: nothing to keep
    if (files.length === maxFiles) return { error: `more than ${maxFiles} files` };
    files.push({ name, bytes: data });
  }
  return { files };
}
