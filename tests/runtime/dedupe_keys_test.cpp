// Ids and keys from outside are checked where they come in: a webhook id, an
// X-Syncline-Idempotency-Key or an emit_options::dedupe_key that is not printable ASCII (not
// UTF-8, a control character) or longer than 255 bytes is refused with a message naming it, and
// nothing is stored; a normal key still makes its run and still dedupes.
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>

#include <catch2/catch.hpp>

#include <string>

#include "engine_with_acme.hpp"
#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_dedupe_keys_test {

using namespace runtime_test;
using verb = boost::beast::http::verb;

namespace {

const std::string not_utf8 = "wh-\xff\xfe-1";
const std::string with_tab = "wh-\t-1";  // the one control character HTTP lets through
const std::string too_long(256, 'k');

}  // namespace

TEST_CASE("a webhook id that is not printable ASCII is refused before anything is stored") {
  engine_with_acme t;
  const std::string body = syncline::json::encode(shop_order{1001, "a@example.com", "n", ""});
  auto deliver_with_id = [&](const std::string& id) {
    return deliver(t.eng->port(), "orders/create", t.creds.shop, id, body,
                   t.creds.client_secret.reveal());
  };

  auto bad = deliver_with_id(not_utf8);
  CHECK(bad.status == 400);
  CHECK(bad.body ==
        R"({"error":"the delivery's id: expected at most 255 printable ASCII characters )"
        R"((space to '~'), got \"wh-\\xff\\xfe-1\""})");
  auto tab = deliver_with_id(with_tab);
  CHECK(tab.status == 400);
  CHECK(tab.body.find(R"(got \"wh-\\x09-1\")") != std::string::npos);
  auto long_id = deliver_with_id(too_long);
  CHECK(long_id.status == 400);
  CHECK(long_id.body.find("(256 bytes)") != std::string::npos);
  CHECK(t.eng->metrics().rejected_count(syncline::rejection::bad_request) == 3);
  CHECK(t.stored_runs() == 0);

  // A normal id (punctuation and all: printable ASCII) makes its run, once.
  const std::string good_id = "b54557e4-bdd9-4b37-8a5f-bf7d70fcd043:~!";
  auto ok = deliver_with_id(good_id);
  CHECK(ok.status == 200);
  CHECK(ok.body.find("accepted") != std::string::npos);
  CHECK(deliver_with_id(good_id).body.find("duplicate") != std::string::npos);
  REQUIRE(wait_until([&] { return t.out.size() == 1; }));
  CHECK(t.stored_runs() == 1);
}

TEST_CASE("an idempotency key of POST /events that is not printable ASCII is refused") {
  engine_with_acme t;
  const std::string body = syncline::json::encode(order_placed{5, "acme", "b@example.com", "n"});
  auto post_with_key = [&](const std::string& key) {
    const std::string ts = syncline::data_stream::timestamp_value(std::chrono::system_clock::now());
    return request(t.eng->port(), verb::post, "/events/order.flaky", body,
                   {{"X-Syncline-Tenant", "acme"},
                    {"X-Syncline-Timestamp", ts},
                    {"X-Syncline-Signature",
                     syncline::data_stream::sign(t.options.event_signing_secret, ts, body)},
                    {"X-Syncline-Idempotency-Key", key}});
  };
  auto bad = post_with_key(not_utf8);
  CHECK(bad.status == 400);
  CHECK(bad.body.find("X-Syncline-Idempotency-Key: expected at most 255 printable ASCII") !=
        std::string::npos);
  CHECK(post_with_key(with_tab).status == 400);
  CHECK(post_with_key(too_long).status == 400);
  CHECK(t.stored_runs() == 0);

  CHECK(post_with_key("evt-5").status == 200);
  CHECK(post_with_key("evt-5").body.find("duplicate") != std::string::npos);
  CHECK(t.stored_runs() == 1);
}

TEST_CASE("emit refuses a dedupe key that is not printable ASCII") {
  engine_with_acme t;
  const order_placed event{7, "acme", "c@example.com", "n"};
  for (const std::string& key : {not_utf8, with_tab, std::string("line\nbreak"), too_long}) {
    auto r = t.eng->emit("acme", "order.flaky", event, {.dedupe_key = key});
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::invalid_input);
    CHECK(r.error().message.starts_with("emit_options::dedupe_key: expected at most 255"));
    auto manual = t.eng->run_manual("acme", "backfill", event, {.dedupe_key = key});
    CHECK_FALSE(manual);
  }
  CHECK(t.stored_runs() == 0);
  auto ok = t.eng->emit("acme", "order.flaky", event, {.dedupe_key = "order-7"});
  REQUIRE(ok);
  CHECK(ok->runs.size() == 1);
  CHECK(t.stored_runs() == 1);
}

}  // namespace unity_runtime_dedupe_keys_test
