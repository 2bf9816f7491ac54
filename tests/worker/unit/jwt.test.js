// JWT signatures against the published vectors of RFC 7515 (Appendix A.2, RS256; A.3, ES256),
// checked by the Worker's own verifier on the platform's WebCrypto; and the parts it refuses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { JwtError, decodeJwt, signatureHolds } from "../../../worker/platform/jwt.js";

const PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const A2 = {
  jws: `eyJhbGciOiJSUzI1NiJ9.${PAYLOAD}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`,
  jwk: { kty: "RSA", e: "AQAB",
    n: "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ" },
};
const A3 = {
  jws: `eyJhbGciOiJFUzI1NiJ9.${PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`,
  jwk: { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" },
};

test("RFC 7515 A.2 (RS256) and A.3 (ES256) verify; a changed payload or the other key does not", async () => {
  for (const { jws, jwk } of [A2, A3]) {
    assert.equal(await signatureHolds(jws, jwk), true);
    const [h, , sig] = jws.split(".");
    const other = Buffer.from(JSON.stringify({ iss: "joe", exp: 1300819380, "http://example.com/is_root": false })).toString("base64url");
    assert.equal(await signatureHolds(`${h}.${other}.${sig}`, jwk), false);
  }
  assert.equal(await signatureHolds(A2.jws, A3.jwk), false); // an RS256 token is never checked with an EC key
  assert.equal(await signatureHolds(A3.jws, A2.jwk), false);
  assert.deepEqual(decodeJwt(A2.jws).claims, { iss: "joe", exp: 1300819380, "http://example.com/is_root": true });
});

test("alg none, HS256 and malformed tokens are refused", async () => {
  const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${PAYLOAD}.`;
  assert.equal(await signatureHolds(none, A2.jwk), false);
  const hs = `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${PAYLOAD}.${A2.jws.split(".")[2]}`;
  assert.equal(await signatureHolds(hs, A2.jwk), false);
  for (const bad of ["", "a.b", "a.b.c.d", "!!.e30.x", `${PAYLOAD}.W10.x`, "e30.e30.***"])
    assert.throws(() => decodeJwt(bad), JwtError, bad);
});
