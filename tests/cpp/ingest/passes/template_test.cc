// Message templating, placeholder by placeholder, and what must stay untouched.
#include <doctest/doctest.h>

#include "edgelog/ingest/passes/template.h"

using edgelog::template_message;

TEST_CASE("the issue's example") {
  CHECK(template_message("Error with order #1231 for bob@x.io") == "Error with order #<int> for <email>");
}

TEST_CASE("each kind of variable part gets its placeholder") {
  CHECK(template_message("fetch https://api.example.com/v1/orders/17?x=1 failed") == "fetch <url> failed");
  CHECK(template_message("see http://x.io/a.") == "see <url>.");
  CHECK(template_message("id 123e4567-e89b-12d3-a456-426614174000 missing") == "id <uuid> missing");
  CHECK(template_message("from 203.0.113.7:8080 and 10.0.0.1") == "from <ip> and <ip>");
  CHECK(template_message("peer 2001:db8::ff00:42:8329 down") == "peer <ip> down");
  CHECK(template_message("peer fe80:0:0:0:202:b3ff:fe1e:8329 down") == "peer <ip> down");
  CHECK(template_message("commit da39a3ee5e6b4b0d3255bfef95601890afd80709") == "commit <hash>");
  CHECK(template_message("md5 d41d8cd98f00b204e9800998ecf8427e") == "md5 <hash>");
  CHECK(template_message("sha e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == "sha <hash>");
  CHECK(template_message("trace 4bf92f3577b34da6 at 0x7ffd5e8c") == "trace <hex> at <hex>");
  CHECK(template_message("at 2026-11-22T10:30:00.123Z and 2026-11-22 10:30:00+02:00") == "at <date> and <date>");
  CHECK(template_message("on 2026-11-22 only") == "on <date> only");
  CHECK(template_message("since Sun, 06 Nov 1994 08:49:37 GMT") == "since <date>");
  CHECK(template_message("connect to db-3.internal.example.com refused") == "connect to <host> refused");
  CHECK(template_message("took 120ms, then 3s, then 1.5 h") == "took <duration>, then <duration>, then <duration>");
  CHECK(template_message("at 1795000000 and 1795000000123") == "at <ts> and <ts>");
  CHECK(template_message("ratio 0.75 of -3 and 1e-9") == "ratio <float> of <int> and <float>");
  CHECK(template_message("user=alice status=\"not found\" code=7 mail=a@b.io") ==
        "user=<value> status=<value> code=<value> mail=<value>");
  CHECK(template_message("token='abc def' next") == "token=<value> next");
}

TEST_CASE("words, identifiers and versions that are not variable stay") {
  CHECK(template_message("TypeError: Cannot read properties of undefined") == "TypeError: Cannot read properties of undefined");
  CHECK(template_message("user42 hit v2 of the api in file.js") == "user42 hit v2 of the api in file.js");
  CHECK(template_message("job-17 on node-3 ran v1.2.3") == "job-17 on node-3 ran v1.2.3");
  CHECK(template_message("deadbeef cafe") == "deadbeef cafe");  // short hex words are words
  CHECK(template_message("") == "");
  CHECK(template_message("100%") == "<int>%");
}

TEST_CASE("the same error from different requests templates identically") {
  CHECK(template_message("Payment 8841 for carol@shop.io failed after 2300ms") ==
        template_message("Payment 17 for dave@mail.example.org failed after 12ms"));
}

TEST_CASE("templating a template changes nothing") {
  for (const char* m : {"key=4111 and user=bob took 5ms at 10.0.0.1", "Error with order #1231 for bob@x.io", "11-1111 x",
                        "x=\"quoted\" y=<int>"}) {
    auto once = template_message(m);
    CAPTURE(once);
    CHECK(template_message(once) == once);
  }
}
