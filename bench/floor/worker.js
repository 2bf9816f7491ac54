// The floor: the least a signed-ingest Worker can do. It verifies X-Signature (HMAC-SHA256 of the
// body, hex) with WebCrypto and stores the raw body as one D1 row. bench/e2e.mjs runs it beside
// edgelog, interleaved, as the reference edgelog's throughput is measured against.
const encoder = new TextEncoder();
let key = null;

function hexToBytes(hex) {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("floor", { status: 200 });
    key ??= await crypto.subtle.importKey("raw", encoder.encode(env.FLOOR_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const body = await request.arrayBuffer();
    const signature = hexToBytes(request.headers.get("x-signature") ?? "");
    if (!signature || !(await crypto.subtle.verify("HMAC", key, signature, body)))
      return Response.json({ error: { code: "bad_signature" } }, { status: 401 });
    await env.DB.prepare("INSERT INTO raw (received_at, body) VALUES (?1, ?2)").bind(Date.now(), new TextDecoder().decode(body)).run();
    return Response.json({ stored: true }, { status: 202 });
  },
};
