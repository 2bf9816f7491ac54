// Every KV key edgelog uses, and how values are stored. KV is a read-mostly cache here, never a
// counter and never the only copy of anything.

const keyLookup = (keyHash) => `key:v1:${keyHash}`;

/** A cached key lookup {row, readAt} (row holds sealed secrets only), or null. */
export async function getKeyLookup(kv, keyHash) {
  return kv ? kv.get(keyLookup(keyHash), "json") : null;
}

export function putKeyLookup(kv, keyHash, value) {
  return kv?.put(keyLookup(keyHash), JSON.stringify(value), { expirationTtl: 60 });
}

export function deleteKeyLookup(kv, keyHash) {
  return kv?.delete(keyLookup(keyHash));
}
