// What is scrubbed, and what must not be.
#include <doctest/doctest.h>

#include "edgelog/ingest/passes/redact.h"

using edgelog::is_sensitive_key;
using edgelog::scrub_options;

namespace {
std::string scrub(std::string_view text, const scrub_options& o = {}, std::size_t* count = nullptr) {
  std::string out;
  std::size_t n = edgelog::scrub_text(text, out, o);
  if (count) *count = n;
  return out;
}
}  // namespace

TEST_CASE("sensitive keys by word, in any naming style") {
  scrub_options o;
  for (const char* key : {"password", "user_password", "passwd", "client_secret", "accessToken", "API_KEY", "apikey",
                          "X-Api-Key", "Authorization", "auth", "credentials", "cookie", "Set-Cookie", "session",
                          "private_key", "csrf_token", "otp"}) {
    CAPTURE(key);
    CHECK(is_sensitive_key(key, o));
  }
  for (const char* key : {"author", "footprint", "tokenizer_name", "user_id", "sessions_count_total", "username", "keyboard"}) {
    CAPTURE(key);
    CHECK_FALSE(is_sensitive_key(key, o));
  }
}

TEST_CASE("project options: extra keys, allow-list, off") {
  scrub_options o;
  o.extra_keys = {"ssn"};
  o.allow_keys = {"session"};
  CHECK(is_sensitive_key("customer_ssn", o));
  CHECK_FALSE(is_sensitive_key("session", o));
  o.enabled = false;
  CHECK_FALSE(is_sensitive_key("password", o));
  CHECK(scrub("Bearer abcdefghijklmnop", o) == "Bearer abcdefghijklmnop");
}

TEST_CASE("secrets inside strings are masked") {
  std::size_t n = 0;
  CHECK(scrub("Authorization: Bearer abc.DEF-123_xyz456 sent", {}, &n) == "Authorization: Bearer [Filtered] sent");
  CHECK(n == 1);
  CHECK(scrub("card 4111 1111 1111 1111 declined") == "card [Filtered] declined");
  CHECK(scrub("card 4111-1111-1111-1111.") == "card [Filtered].");
  CHECK(scrub("iban DE89 3704 0044 0532 0130 00 rejected") == "iban [Filtered] rejected");
  CHECK(scrub("iban GB82WEST12345698765432") == "iban [Filtered]");
  CHECK(scrub("key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end") == "key [Filtered] end");
  CHECK(scrub("connect postgres://app:hunter2@db:5432/x") == "connect postgres://app:[Filtered]@db:5432/x");
  CHECK(scrub("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk ok") == "jwt [Filtered] ok");
}

TEST_CASE("values of sensitive key=value pairs in free text are masked") {
  CHECK(scrub("GET /login?user=bob&password=hunter2&next=/") == "GET /login?user=bob&password=[Filtered]&next=/");
  CHECK(scrub("retry api_key=sk_live_123 token=abc") == "retry api_key=[Filtered] token=[Filtered]");
  CHECK(scrub("auth=Bearer abcdefghijklmnop next") == "auth=[Filtered] next");
  CHECK(scrub("author=alice count=3 session = open") == "author=alice count=3 session = open");
}

TEST_CASE("look-alikes are left alone") {
  CHECK(scrub("order 4111111111111112 shipped") == "order 4111111111111112 shipped");  // fails Luhn
  CHECK(scrub("the token expired; refresh the session") == "the token expired; refresh the session");
  CHECK(scrub("bearer of bad news") == "bearer of bad news");
  CHECK(scrub("DE00 1234 5678 9012 3456 78") == "DE00 1234 5678 9012 3456 78");  // bad IBAN check
  CHECK(scrub("https://example.com:8443/path") == "https://example.com:8443/path");
  CHECK(scrub("-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----") == "-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----");
  CHECK(scrub("build 1234567890123") == "build 1234567890123");
}

TEST_CASE("hashing, emails, IPs and literal patterns are per project") {
  scrub_options o;
  o.hash = true;
  auto hashed = scrub("Bearer abcdefghijklmnop", o);
  CHECK(hashed.rfind("Bearer [Filtered:", 0) == 0);
  CHECK(hashed == scrub("Bearer abcdefghijklmnop", o));  // stable, so equal values still correlate
  scrub_options p;
  p.mask_emails = true;
  p.mask_ips = true;
  p.patterns = {"ACME-INTERNAL"};
  CHECK(scrub("bob@x.io from 10.1.2.3 about ACME-INTERNAL", p) == "[email] from [ip] about [Filtered]");
  CHECK(scrub("bob@x.io from 10.1.2.3") == "bob@x.io from 10.1.2.3");
}

TEST_CASE("the prefilter lets through every string that holds something to mask") {
  scrub_options o;
  for (const char* s : {"Bearer abcdefghijkl", "4111 1111 1111 1111", "GB82WEST12345698765432", "x://u:p@h",
                        "eyJa.eyJb.cccc", "-----BEGIN PRIVATE KEY-----"}) {
    CAPTURE(s);
    CHECK(edgelog::may_hold_secrets(s, o));
  }
  CHECK_FALSE(edgelog::may_hold_secrets("user 42 signed in at 10:30", o));
  o.mask_emails = true;
  CHECK(edgelog::may_hold_secrets("anything", o));
}

TEST_CASE("may_need_scrubbing finds a sensitive key or a secret in a value anywhere in a JSON object") {
  edgelog::scrub_options o;
  CHECK(edgelog::may_need_scrubbing(R"({"user":{"name":"ann","api_key":"x"}})", o));
  CHECK(edgelog::may_need_scrubbing(R"({"a":[{"Set-Cookie":"1"}]})", o));
  CHECK(edgelog::may_need_scrubbing(R"({"url":"postgres://u:pw@db/x"})", o));
  CHECK(edgelog::may_need_scrubbing(R"({"h":["Authorization: Bearer abcdefghijklmnop"]})", o));
  CHECK_FALSE(edgelog::may_need_scrubbing(R"({"note":"my password is long","n":1})", o));  // a value, not a key
  CHECK_FALSE(edgelog::may_need_scrubbing(R"({"q":"say \"token\": no","ok":true})", o));
  CHECK_FALSE(edgelog::may_need_scrubbing(R"({"start":1795000000123,"t":"t=1795000000123"})", o));
  o.enabled = false;
  CHECK_FALSE(edgelog::may_need_scrubbing(R"({"password":"x"})", o));
}

TEST_CASE("may_hold_secrets passes over a 13-digit epoch-ms time but not over a card number") {
  edgelog::scrub_options o;
  CHECK_FALSE(edgelog::may_hold_secrets("started at t=1795000000123 ok", o));
  CHECK(edgelog::may_hold_secrets("card 4111 1111 1111 1111 used", o));
  CHECK(edgelog::may_hold_secrets("ids 12 4111111111111111", o));  // a card after a separator in a longer run
}

TEST_CASE("may_hold_secrets is true wherever scrub_text would mask something") {
  edgelog::scrub_options o;
  for (std::string text : {"Authorization: Bearer abcdefghijklmnop", "AUTHORIZATION: BEARER ABCDEFGHIJKLMNOP",
                           "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
                           "pay to ES91 2100 0418 4502 0005 1332", "db at postgres://u:pw@host/db", "password=hunter2"}) {
    CAPTURE(text);
    std::string out;
    CHECK(edgelog::scrub_text(text, out, o) > 0);
    CHECK(edgelog::may_hold_secrets(text, o));
  }
  for (std::string text : {"order 17 shipped at 1795000000123", "GET /items?page=2", "user ann@example.com signed in"}) {
    CAPTURE(text);
    std::string out;
    CHECK(edgelog::scrub_text(text, out, o) == 0);
    CHECK_FALSE(edgelog::may_hold_secrets(text, o));
  }
}
