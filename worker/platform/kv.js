// Every KV key edgelog uses, and how values are stored. KV is a read-mostly cache here and never a
// counter. One exception to "never the only copy": a write queued while D1 failed keeps a copy here
// until it is written (see queue.js), in case its message is lost or runs out of retries.

const keyLookup = (keyHash) => `key:v1:${keyHash}`;

/** A cached key lookup {row, readAt} (row holds sealed secrets only), or null. */
export async function getKeyLookup(kv, keyHash) {
  return kv ? kv.get(keyLookup(keyHash), "json") : null;
}

export function putKeyLookup(kv, keyHash, value) {
  // Fresh for 30 s (auth.js); kept a day so that a D1 outage can fall back on it.
  return kv?.put(keyLookup(keyHash), JSON.stringify(value), { expirationTtl: 86_400 });
}

export function deleteKeyLookup(kv, keyHash) {
  return kv?.delete(keyLookup(keyHash));
}

const QUEUE_TTL_S = 14 * 86_400; // past the longest a message can wait in a queue
const QUEUED = "queue:pending:";

/** The copy of a queued write that survives a lost message: `metadata` ({project_id, events, at,
 *  reason, dead}) is what the backlog lists. One KV write per queued batch. */
export function putQueued(kv, id, text, metadata) {
  return kv.put(`${QUEUED}${id}`, text, { metadata, expirationTtl: QUEUE_TTL_S });
}

export function getQueued(kv, id) {
  return kv.get(`${QUEUED}${id}`);
}

export function deleteQueued(kv, id) {
  return kv?.delete(`${QUEUED}${id}`);
}

/** Up to 1000 queued writes as {id, metadata}, and whether there are more. */
export async function listQueued(kv) {
  if (!kv) return { entries: [], more: false };
  const page = await kv.list({ prefix: QUEUED, limit: 1000 });
  return { entries: page.keys.map((k) => ({ id: k.name.slice(QUEUED.length), ...k.metadata })), more: !page.list_complete };
}
