// Every KV key edgelog uses, and how values are stored. KV is a read-mostly cache here and never a
// counter. One exception to "never the only copy": a queued write too large for a queue message,
// and a dead letter, wait here until D1 takes them (see queue.js).

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
const pendingKey = (id) => `queue:pending:${id}`;
const spoolKey = (id) => `queue:spool:${id}`;
const deadKey = (id) => `queue:dead:${id}`;

/** Marks a write as waiting in the queue; the listing's metadata is the backlog. */
export function putQueuePending(kv, id, metadata) {
  return kv?.put(pendingKey(id), "", { metadata, expirationTtl: QUEUE_TTL_S });
}

export function deleteQueuePending(kv, id) {
  return kv?.delete(pendingKey(id));
}

/** The waiting writes' metadata ({project_id, events, at}), up to 1000. */
export async function listQueuePending(kv) {
  if (!kv) return { entries: [], more: false };
  const page = await kv.list({ prefix: "queue:pending:", limit: 1000 });
  return { entries: page.keys.map((k) => k.metadata ?? {}), more: !page.list_complete };
}

export function putQueueSpool(kv, id, text) {
  return kv.put(spoolKey(id), text, { expirationTtl: QUEUE_TTL_S });
}

export function getQueueSpool(kv, id) {
  return kv.get(spoolKey(id));
}

export function deleteQueueSpool(kv, id) {
  return kv?.delete(spoolKey(id));
}

/** Dead letters have no expiry: they go when maintenance has written them. */
export function putDeadLetter(kv, id, text) {
  return kv.put(deadKey(id), text);
}

export function getDeadLetter(kv, id) {
  return kv.get(deadKey(id));
}

export function deleteDeadLetter(kv, id) {
  return kv?.delete(deadKey(id));
}

/** Up to `limit` dead letters' ids, and whether there are more. */
export async function listDeadLetters(kv, limit) {
  if (!kv) return { ids: [], more: false };
  const page = await kv.list({ prefix: "queue:dead:", limit });
  return { ids: page.keys.map((k) => k.name.slice("queue:dead:".length)), more: !page.list_complete };
}
