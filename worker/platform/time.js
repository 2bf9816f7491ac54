// Times as the read API takes them.

/** Epoch ms from RFC 3339, epoch ms, or a relative "15m" / "2h" / "3d" before now. */
export function parseTime(text, now) {
  if (text === null) return null;
  const rel = /^(\d+)([smhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2]];
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms) ? ms : NaN;
}
