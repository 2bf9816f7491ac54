// R2, the cold tier's store (binding COLD): packs of segment texts written whole, read by range
// (and the Parquet files and uploaded source maps kept in the same bucket).
// A read of several segments of one pack fetches one range covering them when the gaps between
// them are small; fetches run a few at a time. Ranges are kept in the Workers cache for a day: a
// pack never changes once written (a new pack gets a new key), so a dashboard that refreshes the
// same cold window reads R2 once.

/** R2 failed to answer a read: the route answers 503 cold_storage_unavailable. */
export class ColdStorageUnavailable extends Error {}

const CONCURRENCY = 6;         // R2 reads in flight per request (a Worker's connection limit)
const MAX_GAP = 256 * 1024;    // bytes of other segments read through rather than a second range
const CACHE_TTL_S = 86_400;

/** Uploads an object (a pack's text, a Parquet file) under `key`. */
export async function putObject(bucket, key, text, meta) {
  await bucket.put(key, text, { httpMetadata: { contentType: "text/plain" }, customMetadata: meta });
}

/** Uploads bytes (an uploaded source map, compressed) under `key`. */
export async function putBytes(bucket, key, bytes, meta) {
  await bucket.put(key, bytes, { httpMetadata: { contentType: "application/zstd" }, customMetadata: meta });
}

/** An object's bytes, or null when it is gone. */
export async function getBytes(bucket, key) {
  let object;
  try {
    object = await bucket.get(key);
  } catch (err) {
    throw new ColdStorageUnavailable(`R2 did not answer for ${key}: ${err?.message ?? err}`);
  }
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** Deletes these objects (R2 takes up to 1000 keys per call). */
export async function deleteObjects(bucket, keys) {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/** The texts of cold segments, `places` being [{id, object, object_offset, object_length}]: Map id →
 *  text. A pack that is gone (purged after its rows were read) leaves its segments out, as a purge
 *  between two reads of D1 would. */
export async function readPacks(bucket, places) {
  const texts = new Map();
  if (!places.length) return texts;
  if (!bucket) throw new ColdStorageUnavailable("segments are in the cold tier but no R2 bucket is bound (COLD)");
  const ranges = [];
  const byObject = new Map();
  for (const p of places) (byObject.get(p.object) ?? byObject.set(p.object, []).get(p.object)).push(p);
  for (const [key, list] of byObject) {
    list.sort((a, b) => a.object_offset - b.object_offset);
    let range = null;
    for (const p of list) {
      const end = p.object_offset + p.object_length;
      if (range && p.object_offset - range.end <= MAX_GAP) {
        range.end = Math.max(range.end, end);
        range.parts.push(p);
      } else {
        range = { key, start: p.object_offset, end, parts: [p] };
        ranges.push(range);
      }
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < ranges.length) {
      const r = ranges[next++];
      const text = await rangeText(bucket, r);
      if (text === null) continue;
      for (const p of r.parts) texts.set(p.id, text.slice(p.object_offset - r.start, p.object_offset - r.start + p.object_length));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ranges.length) }, worker));
  return texts;
}

// One range of a pack, from the cache or from R2 (then cached); null when the pack is gone.
async function rangeText(bucket, r) {
  const cache = globalThis.caches?.default;
  const url = `https://cold.edgelog.invalid/${encodeURIComponent(r.key)}?range=${r.start}-${r.end}`;
  const hit = cache ? await cache.match(url) : undefined;
  if (hit) return hit.text();
  let object;
  try {
    object = await bucket.get(r.key, { range: { offset: r.start, length: r.end - r.start } });
  } catch (err) {
    throw new ColdStorageUnavailable(`R2 read of ${r.key} failed: ${err?.message ?? err}`);
  }
  if (!object) return null;
  const text = await object.text();
  if (cache) await cache.put(url, new Response(text, { headers: { "Cache-Control": `max-age=${CACHE_TTL_S}` } }));
  return text;
}
