// The engine's HTTP answers are JSON by one encoder (http/json_answer.hpp): whatever a refusal
// quotes (a topic from the URL, an id from a header, a value from the body) with quotes,
// backslashes, control characters, UTF-8 or bytes that are not, every answer parses as JSON,
// and the 200 answer keeps its documented form.
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "engine_with_acme.hpp"
#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_answers_test {

using namespace runtime_test;
using verb = boost::beast::http::verb;

namespace {

// The answer's body as JSON; fails the test when it is not JSON or not labelled so.
boost::json::object json_of(const answer& a) {
  INFO(a.status << " " << a.body);
  CHECK(a.content_type == "application/json");
  boost::system::error_code ec;
  auto v = boost::json::parse(a.body, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

std::string error_of(const answer& a) {
  const auto o = json_of(a);
  CHECK(o.size() == 1);
  REQUIRE(o.contains("error"));
  REQUIRE(o.at("error").is_string());
  return std::string(o.at("error").as_string());
}

}  // namespace

TEST_CASE("a delivery's 200 answer is {\"status\",\"runs\"} in JSON, accepted then duplicate") {
  engine_with_acme t;
  const std::string body = syncline::json::encode(shop_order{1001, "a@example.com", "n", ""});
  // Printable ASCII, so a valid id, yet one a hand-built answer would have had to escape.
  const std::string id = "wh-\"quoted\"-\\-1";
  auto first = t.webhook(id, body);
  REQUIRE(first.status == 200);
  const auto a = json_of(first);
  CHECK(a.size() == 2);
  CHECK(a.at("status").as_string() == "accepted");
  REQUIRE(a.at("runs").is_array());
  REQUIRE(a.at("runs").as_array().size() == 1);
  const auto run = a.at("runs").as_array()[0].as_int64();
  CHECK(first.body == R"({"status":"accepted","runs":[)" + std::to_string(run) + "]}");

  auto again = t.webhook(id, body);
  REQUIRE(again.status == 200);
  CHECK(again.body == R"({"status":"duplicate","runs":[)" + std::to_string(run) + "]}");

  auto health = request(t.eng->port(), verb::get, "/healthz");
  CHECK(health.status == 200);
  CHECK(json_of(health).at("status").as_string() == "ok");
}

TEST_CASE("every refusal of the engine is valid JSON whatever it quotes") {
  engine_with_acme t;
  const std::string body = syncline::json::encode(shop_order{1001, "a@example.com", "n", ""});

  SECTION("400: a webhook id from a header") {
    // HTTP lets a tab and bytes above 0x7f through in a header value.
    auto bad = t.webhook("wh-\"\\\t\xc3\xa9\xff", body);
    CHECK(bad.status == 400);
    CHECK(error_of(bad) ==
          "the delivery's id: expected at most 255 printable ASCII characters (space to '~'), "
          "got \"wh-\\x22\\x5c\\x09\\xc3\\xa9\\xff\"");
  }
  SECTION("404: an event name from the URL, percent-decoded") {
    auto unknown = t.event("a%22b%5Cc%01d%C3%A9e%FF", "{}");
    CHECK(unknown.status == 404);
    // The raw name is quoted as it came; its byte that is not UTF-8 is sent as U+FFFD.
    CHECK(error_of(unknown) ==
          "no installed workflow listens to event \"a\"b\\c\x01"
          "d\xc3\xa9"
          "e\xef\xbf\xbd\"");
  }
  SECTION("400: a value from the body") {
    const std::string wrong = R"({"id":")" + std::string("fi\\\"ve\\\\") + R"("})";
    auto refused = t.event("order.flaky", wrong);
    CHECK(refused.status == 400);
    CHECK(error_of(refused).find("/id: expected integer") != std::string::npos);
  }
  SECTION("401: a bad signature, and 404 for an unrouted webhook") {
    auto forged = deliver(t.eng->port(), "orders/create", t.creds.shop, "wh-2", body, "guessed");
    CHECK(forged.status == 401);
    CHECK(error_of(forged).find("could not be authenticated") != std::string::npos);
    auto unrouted = deliver(t.eng->port(), "orders/" + std::string("%22%5C%01%C3%A9%FF"),
                            t.creds.shop, "wh-3", body, t.creds.client_secret.reveal());
    CHECK(unrouted.status == 404);
    CHECK(error_of(unrouted) == "no installed workflow listens to this webhook topic");
  }
}

TEST_CASE("a full queue's 503 is valid JSON and says when to retry") {
  engine_with_acme t(1);
  t.out.hold(true);  // the one run allowed starts and waits: the queue stays full
  REQUIRE(t.eng->emit("acme", "order.held", order_placed{1, "acme", "a@example.com", "n"}));
  auto full = t.event("order.held", syncline::json::encode(order_placed{2, "acme", "b@x", "n"}));
  CHECK(full.status == 503);
  CHECK(full.retry_after == std::to_string(t.options.retry_after.count()));
  CHECK(error_of(full) == "the run queue is full; retry later");
}

}  // namespace unity_runtime_answers_test
