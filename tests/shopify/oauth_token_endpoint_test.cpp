// shopify::token_endpoint against the emulator (code grant, refresh with rotation, token
// exchange) and against a small local server that answers what Shopify should not (400, 500,
// garbage, nothing): each is its error category, and no message quotes a secret.
#include <syncline/connectors/shopify/install_callback.hpp>
#include <syncline/connectors/shopify/install_url.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/server.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "shopify/oauth_fixture.hpp"

namespace unity_shopify_oauth_token_endpoint_test {

using namespace oauth_test;
using namespace std::string_view_literals;
using syncline::errc;
namespace http = syncline::http;

namespace {

constexpr std::string_view carol = "carol.myshopify.com";
constexpr std::string_view a_code = "code-0123456789abcdef";
constexpr std::string_view a_refresh_token = "shprt_refresh_0123456789";

// An install through the emulator's screen: the code of the redirect.
std::string install_code(fixture& f) {
  auto url = shopify::install_url(carol, app_id, std::array{"write_orders"sv}, app_redirect,
                                  "nonce-1", f.shop_base());
  REQUIRE(url);
  auto screen = f.run([&] { return f.client.get(*url); });
  REQUIRE(screen);
  REQUIRE(screen->result_int() == 302);
  const std::string location((*screen)[http::field::location]);
  auto cb = shopify::verify_install_callback(location.substr(location.find('?') + 1),
                                             fixture::app(), f.clock.now());
  REQUIRE(cb);
  return cb->code;
}

unsigned shop_json_status(fixture& f, const syncline::secret& token) {
  http::fields h;
  h.set("X-Shopify-Access-Token", token.reveal());
  auto r = f.run(
      [&] { return f.client.get(f.emu.shop_url("carol") + "/admin/api/2026-01/shop.json", h); });
  REQUIRE(r);
  return r->result_int();
}

// No secret the app holds or sent, nor any the answer carried, in an error's message.
void check_no_secret(const syncline::error& e, std::vector<std::string> also = {}) {
  CAPTURE(e.message);
  also.insert(also.end(), {std::string(app_secret), std::string(a_code),
                           std::string(a_refresh_token), "shpat_", "shprt_"});
  for (const auto& s : also) CHECK(e.message.find(s) == std::string::npos);
}

// A token endpoint that answers what a test sets, and counts the calls.
struct fake_shopify {
  struct answer {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::chrono::milliseconds delay{0};
    // The first N calls wait 5 s before answering: to a client with a shorter timeout, their
    // answers are lost.
    int lose_first = 0;
  };
  struct state {
    std::mutex m;
    answer next;
    std::string last_form;
    std::atomic<int> calls{0};
  };

  explicit fake_shopify(fixture& f) : srv(f.threads.executor()), s(std::make_shared<state>()) {
    srv.route(http::verb::post, "/shops/{shop}/admin/oauth/access_token",
              [s = s](http::incoming& in) -> boost::asio::awaitable<http::response> {
                answer a;
                {
                  std::lock_guard lock(s->m);
                  a = s->next;
                  s->last_form = std::string(in.body());
                }
                const int n = s->calls++;
                const auto delay = n < a.lose_first ? std::chrono::milliseconds(5000) : a.delay;
                if (delay.count() != 0) {
                  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, delay);
                  co_await t.async_wait(boost::asio::use_awaitable);
                }
                co_return http::make_response(a.status, a.body, a.content_type);
              });
    REQUIRE(srv.listen());
  }

  void answer_with(answer a) {
    std::lock_guard lock(s->m);
    s->next = std::move(a);
  }
  std::string last_form() {
    std::lock_guard lock(s->m);
    return s->last_form;
  }

  shopify::token_endpoint endpoint(fixture& f, std::chrono::milliseconds timeout = 10'000ms) {
    auto o = f.endpoint_options();
    o.base_url = srv.url() + "/shops/{shop}";
    o.timeout = timeout;
    return {f.client, fixture::app(), o};
  }

  http::server srv;
  std::shared_ptr<state> s;
};

}  // namespace

TEST_CASE("token endpoint: a code becomes an expiring offline token, counted from the clock") {
  fixture f;
  auto token = f.run([&] { return f.tokens().exchange_code(std::string(carol), install_code(f)); });
  REQUIRE(token);
  CHECK(token->access_token.reveal().starts_with("shpat_"));
  CHECK(token->refresh_token.reveal().starts_with("shprt_"));
  CHECK(token->scope == "write_orders");
  REQUIRE(token->expiring());
  CHECK(*token->expires_at == f.clock.now() + std::chrono::seconds(3600));
  CHECK(*token->refresh_token_expires_at == f.clock.now() + std::chrono::hours(24 * 90));
  CHECK(shop_json_status(f, token->access_token) == 200);

  SECTION("the code is single use") {
    const std::string code = install_code(f);
    REQUIRE(f.run([&] { return f.tokens().exchange_code("carol", code); }));
    auto again = f.run([&] { return f.tokens().exchange_code("carol", code); });
    REQUIRE_FALSE(again);
    CHECK(again.error().category == errc::unauthorized);
    CHECK(again.error().message.find("carol.myshopify.com") != std::string::npos);
    CHECK(again.error().message.find("invalid_grant") != std::string::npos);
    check_no_secret(again.error(), {code});
  }
  SECTION("without expiring=1: a token that never expires, and no refresh token") {
    auto o = f.endpoint_options();
    o.expiring = false;
    shopify::token_endpoint legacy(f.client, fixture::app(), o);
    auto t = f.run([&] { return legacy.exchange_code("carol", install_code(f)); });
    REQUIRE(t);
    CHECK_FALSE(t->expiring());
    CHECK(t->refresh_token.empty());
    CHECK_FALSE(t->refresh_token_expires_at);
  }
}

TEST_CASE(
    "token endpoint: refresh rotates the pair, the old refresh token lasts until the new "
    "pair is used") {
  fixture f;
  auto& tokens = f.tokens();
  auto first = f.run([&] { return tokens.exchange_code("carol", install_code(f)); });
  REQUIRE(first);
  f.clock.advance(std::chrono::minutes(55));
  auto second = f.run([&] { return tokens.refresh("carol", first->refresh_token); });
  REQUIRE(second);
  CHECK(second->access_token != first->access_token);
  CHECK(second->refresh_token != first->refresh_token);
  CHECK(*second->expires_at == f.clock.now() + std::chrono::seconds(3600));
  CHECK(second->scope == "write_orders");

  SECTION("the answer was lost: the old refresh token still gives a pair") {
    auto again = f.run([&] { return tokens.refresh("carol", first->refresh_token); });
    REQUIRE(again);
    CHECK(shop_json_status(f, again->access_token) == 200);
  }
  SECTION("once the new access token is used, the old refresh token is refused") {
    REQUIRE(shop_json_status(f, second->access_token) == 200);
    auto late = f.run([&] { return tokens.refresh("carol", first->refresh_token); });
    REQUIRE_FALSE(late);
    CHECK(late.error().category == errc::unauthorized);
    CHECK(late.error().message.find("invalid_grant") != std::string::npos);
    check_no_secret(late.error(), {std::string(first->refresh_token.reveal()),
                                   std::string(second->refresh_token.reveal())});
    auto third = f.run([&] { return tokens.refresh("carol", second->refresh_token); });
    REQUIRE(third);
    CHECK(shop_json_status(f, third->access_token) == 200);
  }
}

TEST_CASE("token endpoint: token exchange of a session token, checked before Shopify sees it") {
  fixture f;
  fake_shopify fake(f);
  auto& tokens = f.tokens();
  auto jwt = f.emu.session_token("carol", app_id);
  REQUIRE(jwt);
  auto token = f.run([&] { return tokens.exchange_session_token("carol", *jwt); });
  REQUIRE(token);
  CHECK(token->access_token.reveal().starts_with("shpat_"));
  CHECK(token->scope == "write_orders");
  CHECK(token->expiring());
  CHECK(shop_json_status(f, token->access_token) == 200);

  // Refused ones go to the fake Shopify: it must not be called.
  auto refused = [&](const std::string& session_token, std::string shop, errc category,
                     std::string_view why) {
    auto endpoint = fake.endpoint(f);
    auto r = f.run([&] { return endpoint.exchange_session_token(shop, session_token); });
    CAPTURE(why);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == category);
    CHECK(r.error().message.find(why) != std::string::npos);
    check_no_secret(r.error(), {session_token.substr(session_token.rfind('.') + 1)});
    CHECK(fake.s->calls == 0);
  };
  std::string tampered = *f.emu.session_token("carol", app_id);
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  refused(tampered, "carol", errc::unauthorized, "signature");
  refused(*f.emu.session_token("carol", app_id), "acme", errc::unauthorized, "another shop");
  refused("not-a-jwt", "carol", errc::invalid_input, "carol.myshopify.com");
  const std::string old = *f.emu.session_token("carol", app_id);
  f.clock.advance(std::chrono::seconds(66));  // a minute of life and 5 s of skew are over
  refused(old, "carol", errc::unauthorized, "expired");

  // What it sends: the grant Shopify documents, for an expiring offline token.
  fake.answer_with({.status = 200,
                    .body = R"({"access_token":"shpat_x_1234567","scope":"read_orders"})",
                    .content_type = "application/json",
                    .delay = {}});
  const std::string fresh = *f.emu.session_token("carol", app_id);
  auto endpoint = fake.endpoint(f);
  REQUIRE(f.run([&] { return endpoint.exchange_session_token("carol", fresh); }));
  const std::string form = fake.last_form();
  CHECK(form.find("client_id=app-client-id-1&client_secret=app-client-secret-1&") == 0);
  CHECK(form.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange") !=
        std::string::npos);
  CHECK(form.find("&subject_token=" + fresh) != std::string::npos);
  CHECK(form.find("requested_token_type=urn%3Ashopify%3Aparams%3Aoauth%3Atoken-type%3Aoffline-"
                  "access-token") != std::string::npos);
  CHECK(form.ends_with("&expiring=1"));
}

TEST_CASE("token endpoint: what Shopify should not answer becomes a clear error, no secret in it") {
  fixture f;
  fake_shopify fake(f);
  auto call = [&](fake_shopify::answer a, std::chrono::milliseconds timeout = 10'000ms) {
    fake.answer_with(std::move(a));
    auto endpoint = fake.endpoint(f, timeout);
    return f.run([&] { return endpoint.exchange_code("carol", std::string(a_code)); });
  };
  auto failed = [&](syncline::result<shopify::offline_token> r, errc category,
                    std::string_view why) {
    CAPTURE(why);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == category);
    CHECK(r.error().message.find(why) != std::string::npos);
    CHECK(r.error().message.find("Shopify token endpoint of carol.myshopify.com (code grant)") ==
          0);
    check_no_secret(r.error());
  };
  SECTION("400 invalid_grant: refused, Shopify's error and description named") {
    auto r = call({.status = 400,
                   .body = R"({"error":"invalid_grant","error_description":"The code was used"})",
                   .content_type = "application/json",
                   .delay = {}});
    failed(r, errc::unauthorized, "refused, 400 \"invalid_grant\": \"The code was used\"");
    CHECK(r.error().status == 400);
    CHECK_FALSE(syncline::is_transient(r.error().category));
  }
  SECTION("401 invalid_client whose description echoes what was sent: scrubbed") {
    auto r = call({.status = 401,
                   .body = R"({"error":"invalid_client","error_description":"bad secret )" +
                           std::string(app_secret) + " for code " + std::string(a_code) + "\"}",
                   .content_type = "application/json",
                   .delay = {}});
    failed(r, errc::unauthorized, "\"invalid_client\"");
  }
  SECTION("500 with an HTML page: transient, the page quoted and scrubbed") {
    auto r = call({.status = 500,
                   .body = "<html>oops client_secret=" + std::string(app_secret) + "</html>",
                   .content_type = "text/html",
                   .delay = {}});
    failed(r, errc::unavailable, "Shopify failed, 500: <html>oops");
    CHECK(syncline::is_transient(r.error().category));
  }
  SECTION("503 and 429: transient") {
    failed(call({.status = 503, .body = "", .content_type = "", .delay = {}}), errc::unavailable,
           "503");
    // Not sent again: the code may have been spent before the 503 (the client repeats a POST
    // only on a 429, which says it was not processed).
    CHECK(fake.s->calls == 1);
    failed(call({.status = 429,
                 .body = R"({"errors":"slow down"})",
                 .content_type = "application/json",
                 .delay = {}}),
           errc::unavailable, "429");
  }
  SECTION("200 that is not JSON: decode, the body (it may hold a token) not quoted") {
    auto r = call({.status = 200,
                   .body = "<html>shpat_0123456789abcdef</html>",
                   .content_type = "text/html",
                   .delay = {}});
    failed(r, errc::decode, "not a JSON object");
  }
  SECTION("200 without access_token, or without scope") {
    failed(call({.status = 200,
                 .body = R"({"scope":"write_orders"})",
                 .content_type = "application/json",
                 .delay = {}}),
           errc::decode, "no access_token");
    failed(call({.status = 200,
                 .body = R"({"access_token":"shpat_0123456789abcdef"})",
                 .content_type = "application/json",
                 .delay = {}}),
           errc::decode, "no scope");
    failed(call({.status = 200,
                 .body = R"({"access_token":"shpat_0123456789abcdef","scope":"write_orders",)"
                         R"("expires_in":3600})",
                 .content_type = "application/json",
                 .delay = {}}),
           errc::decode, "no refresh_token");
  }
  SECTION("no answer within the timeout: transient") {
    failed(
        call({.status = 200, .body = "{}", .content_type = "application/json", .delay = 5s}, 300ms),
        errc::unavailable, "no answer (timeout)");
  }
  SECTION("nobody listening: transient") {
    auto o = f.endpoint_options();
    o.base_url = "http://127.0.0.1:1/shops/{shop}";
    shopify::token_endpoint nowhere(f.client, fixture::app(), o);
    failed(f.run([&] { return nowhere.exchange_code("carol", std::string(a_code)); }),
           errc::unavailable, "no answer");
  }
  SECTION("a good answer: every field read, and what was sent") {
    auto r = call({.status = 200,
                   .body = R"({"access_token":"shpat_0123456789abcdef","scope":"write_orders",)"
                           R"("expires_in":3600,"refresh_token":"shprt_0123456789abcdef",)"
                           R"("refresh_token_expires_in":7776000})",
                   .content_type = "application/json",
                   .delay = {}});
    REQUIRE(r);
    CHECK(r->access_token.reveal() == "shpat_0123456789abcdef");
    CHECK(r->refresh_token.reveal() == "shprt_0123456789abcdef");
    CHECK(*r->refresh_token_expires_at == f.clock.now() + std::chrono::seconds(7776000));
    CHECK(fake.last_form() == "client_id=app-client-id-1&client_secret=app-client-secret-1&code=" +
                                  std::string(a_code) + "&expiring=1");
    auto endpoint = fake.endpoint(f);
    REQUIRE(f.run(
        [&] { return endpoint.refresh("carol", syncline::secret{std::string(a_refresh_token)}); }));
    CHECK(fake.last_form() ==
          "client_id=app-client-id-1&client_secret=app-client-secret-1&grant_type=refresh_token"
          "&refresh_token=" +
              std::string(a_refresh_token) + "&expiring=1");
  }
}

TEST_CASE("token endpoint: a refresh whose answer was lost is sent again, a code grant is not") {
  fixture f;
  fake_shopify fake(f);
  auto endpoint = fake.endpoint(f, 300ms);
  fake.answer_with({.status = 200,
                    .body = R"({"access_token":"shpat_0123456789abcdef","scope":"write_orders",)"
                            R"("expires_in":3600,"refresh_token":"shprt_0123456789abcdef"})",
                    .content_type = "application/json",
                    .delay = {},
                    .lose_first = 1});
  auto refreshed = f.run(
      [&] { return endpoint.refresh("carol", syncline::secret{std::string(a_refresh_token)}); });
  REQUIRE(refreshed);
  CHECK(refreshed->refresh_token.reveal() == "shprt_0123456789abcdef");
  CHECK(fake.s->calls == 2);

  fake.s->calls = 0;
  auto code = f.run([&] { return endpoint.exchange_code("carol", std::string(a_code)); });
  REQUIRE_FALSE(code);
  CHECK(code.error().category == errc::unavailable);
  check_no_secret(code.error());
  CHECK(fake.s->calls == 1);
}

TEST_CASE("token endpoint: bad input is refused before any call") {
  fixture f;
  fake_shopify fake(f);
  auto endpoint = fake.endpoint(f);
  auto refused = [&](syncline::result<shopify::offline_token> r, std::string_view why) {
    CAPTURE(why);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK(r.error().message.find(why) != std::string::npos);
    check_no_secret(r.error());
  };
  refused(f.run([&] { return endpoint.exchange_code("evil.example", std::string(a_code)); }),
          "\"evil.example\" is not {shop}.myshopify.com");
  refused(f.run([&] { return endpoint.exchange_code("carol", ""); }), "the code is empty");
  refused(f.run([&] { return endpoint.refresh("carol", syncline::secret{}); }),
          "the refresh token is empty");
  refused(f.run([&] { return endpoint.exchange_session_token("evil.example", "a.b.c"); }),
          "is not {shop}.myshopify.com");
  auto o = f.endpoint_options();
  shopify::token_endpoint secretless(
      f.client,
      {.client_id = std::string(app_id), .client_secret = {}, .previous_client_secret = {}}, o);
  refused(f.run([&] { return secretless.exchange_code("carol", std::string(a_code)); }),
          "needs the client id and secret");
  CHECK(fake.s->calls == 0);
}

}  // namespace unity_shopify_oauth_token_endpoint_test
