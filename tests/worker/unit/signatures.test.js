// The signatures of Discord's and Slack's requests, checked with the Worker's own functions
// against published vectors: RFC 8032's Ed25519 tests 1 and 2, and Slack's documented example.
import assert from "node:assert/strict";
import { test } from "node:test";
import { hmacHex, verifyEd25519 } from "../../../worker/platform/crypto.js";

// RFC 8032, section 7.1 (the message of test 1 is empty; test 2's is the byte 0x72, "r").
const RFC8032 = [
  { pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
  { pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", msg: "r",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
];

test("Ed25519: RFC 8032's vectors verify; a changed message, signature or key does not", async () => {
  for (const { pk, msg, sig } of RFC8032) {
    assert.equal(await verifyEd25519(pk, sig, msg), true, pk);
    assert.equal(await verifyEd25519(pk, sig, `${msg}x`), false);
    assert.equal(await verifyEd25519(pk, `${sig.slice(0, -2)}${sig.endsWith("0b") ? "0c" : "01"}`, msg), false);
  }
  assert.equal(await verifyEd25519(RFC8032[1].pk, RFC8032[0].sig, RFC8032[0].msg), false);
  for (const [pk, sig] of [["", RFC8032[0].sig], ["zz", RFC8032[0].sig], [RFC8032[0].pk, ""], [RFC8032[0].pk, "abc"], [null, null]])
    assert.equal(await verifyEd25519(pk, sig, ""), false);
});

test("Slack: the documented example's signature", async () => {
  const body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
    + "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    + "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
  assert.equal(`v0=${await hmacHex("8f742231b10e8888abcd99yyyzzz85a5", `v0:1531420618:${body}`)}`,
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
});
