// Archives read from bytes already in memory: tar (POSIX ustar, with pax and GNU long names) and
// zip (stored or deflated members): the files and their names as the archive holds them. Names are
// not trusted here; callers check them.
import { readStream } from "./http.js";

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

// ---- zip ---------------------------------------------------------------------------------------

const EOCD = 0x06054b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

/** Whether `bytes` start as a zip does (a local file header, or the end record of an empty one). */
export const isZip = (bytes) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b
  && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));

// Inflates one member into at most `limit` bytes; null when it holds more or does not inflate.
async function inflate(data, limit) {
  try {
    const out = await readStream(new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw")), limit);
    return out.length > limit ? null : out;
  } catch {
    return null;
  }
}

/** The regular files of a zip, read by its central directory: [{name, bytes}], or {error} when the
 *  archive is broken, uses what is not read here (zip64, encryption, a method other than stored
 *  or deflate), or unpacks to more than `maxUnpacked` bytes (every member's size as declared and as
 *  inflated counts). At most `maxFiles` files. */
export async function readZip(zip, { maxFiles = 10_000, maxUnpacked = Infinity } = {}) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return { error: "no end of central directory record" };
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) return { error: "zip64 archives are not read" };
  // The directory first: every member's declared size counts before one is inflated.
  const members = [];
  let unpacked = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== CENTRAL) return { error: `a broken central directory entry at byte ${at}` };
    const flags = view.getUint16(at + 8, true), method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true), size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true), extra = view.getUint16(at + 30, true), comment = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
    if (name.endsWith("/")) continue; // a directory
    if (packed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) return { error: "zip64 archives are not read" };
    if (flags & 1) return { error: `${name} is encrypted` };
    if (method !== 0 && method !== 8) return { error: `${name} is compressed with method ${method}; only stored and deflate are read` };
    if (members.length === maxFiles) return { error: `more than ${maxFiles} files` };
    unpacked += size;
    if (unpacked > maxUnpacked) return { error: "too large", tooLarge: true };
    members.push({ name, method, packed, size, local });
  }
  const files = [];
  for (const { name, method, packed, size, local } of members) {
    if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL) return { error: `a broken local header for ${name}` };
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + packed > zip.length) return { error: `the archive ends inside ${name}` };
    const data = zip.subarray(start, start + packed);
    const bytes = method === 0 ? data : await inflate(data, size);
    if (!bytes || bytes.length !== size) return { error: `${name} does not inflate to its declared size` };
    files.push({ name, bytes });
  }
  return { files };
}
