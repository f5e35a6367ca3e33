// The authorization code grant as an app runs it: shopify::install_url sends the merchant to the
// emulator's install screen, the headless merchant approves, and the redirect back is checked by
// shopify::verify_install_callback before its code is exchanged; then the callback's refusals.
#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/install_callback.hpp>
#include <syncline/connectors/shopify/install_url.hpp>
#include <syncline/connectors/shopify/signed_query.hpp>
#include <syncline/http/url.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shopify/oauth_fixture.hpp"

namespace unity_shopify_oauth_install_test {

using namespace oauth_test;
using namespace std::string_view_literals;

namespace {

constexpr std::array order_scopes{"read_orders"sv, "write_orders"sv};

using params = std::vector<std::pair<std::string, std::string>>;

// A redirect query as Shopify signs it, `hmac` last.
std::string signed_query(params p, std::string_view secret = app_secret) {
  const std::string hmac = shopify::signed_query_hmac(p, secret);
  std::string q;
  for (const auto& [k, v] : p) q += k + "=" + syncline::http::percent_encode(v) + "&";
  return q + "hmac=" + hmac;
}

std::string seconds_of(std::chrono::system_clock::time_point at) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

params redirect(const t::emulator_clock& clock, std::string shop = "carol.myshopify.com") {
  return {{"code", "code-0123456789abcdef"},
          {"host", "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvY2Fyb2w"},
          {"shop", std::move(shop)},
          {"state", "nonce-7"},
          {"timestamp", seconds_of(clock.now())}};
}

void check_no_secret(const syncline::error& e, std::string_view query) {
  CAPTURE(e.message);
  CHECK(e.message.find("code-0123456789abcdef") == std::string::npos);
  CHECK(e.message.find(app_secret) == std::string::npos);
  const auto at = query.find("hmac=");
  if (at != std::string_view::npos) {
    CHECK(e.message.find(query.substr(at + 5, 16)) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("install_url: Shopify's authorize URL, every value percent-encoded") {
  auto url =
      shopify::install_url("carol.myshopify.com", app_id, order_scopes, app_redirect, "nonce 1&x");
  REQUIRE(url);
  CHECK(*url ==
        "https://carol.myshopify.com/admin/oauth/authorize?client_id=app-client-id-1"
        "&scope=read_orders%2Cwrite_orders"
        "&redirect_uri=https%3A%2F%2Fapp.example%2Fauth%2Fcallback&state=nonce%201%26x");
  // "carol" and any case name the same shop; a base with {shop} puts it where it says.
  auto short_name = shopify::install_url("CAROL", app_id, order_scopes, app_redirect, "s",
                                         "http://127.0.0.1:9/shops/{shop}/");
  REQUIRE(short_name);
  CHECK(short_name->starts_with(
      "http://127.0.0.1:9/shops/carol.myshopify.com/admin/oauth/authorize?client_id="));
}

TEST_CASE("install_url: what it refuses") {
  auto refused = [](syncline::result<std::string> r, std::string_view why) {
    CAPTURE(why);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::invalid_input);
    CHECK(r.error().message.find(why) != std::string::npos);
  };
  refused(shopify::install_url("evil.example", app_id, order_scopes, app_redirect, "s"),
          "is not {shop}.myshopify.com");
  refused(shopify::install_url("carol.myshopify.com.evil.example", app_id, order_scopes,
                               app_redirect, "s"),
          "is not {shop}.myshopify.com");
  refused(shopify::install_url("carol.myshopify.com/x", app_id, order_scopes, app_redirect, "s"),
          "is not {shop}.myshopify.com");
  refused(shopify::install_url("carol", "", order_scopes, app_redirect, "s"), "client id");
  refused(shopify::install_url("carol", app_id, order_scopes, app_redirect, ""), "state");
  refused(shopify::install_url("carol", app_id, std::array{"read_orders"sv, "drop_tables"sv},
                               app_redirect, "s"),
          "\"drop_tables\"");
  refused(shopify::install_url("carol", app_id, order_scopes, "/auth/callback", "s"),
          "redirect_uri");
}

TEST_CASE("install: the merchant approves, the callback verifies, its code becomes a token") {
  fixture f;
  auto url = shopify::install_url("carol.myshopify.com", app_id, order_scopes, app_redirect,
                                  "nonce-1", f.shop_base());
  REQUIRE(url);
  auto screen = f.run([&] { return f.client.get(*url); });
  REQUIRE(screen);
  REQUIRE(screen->result_int() == 302);
  const std::string location((*screen)[syncline::http::field::location]);
  REQUIRE(location.starts_with(std::string(app_redirect) + "?"));
  const std::string query = location.substr(location.find('?') + 1);

  auto cb = shopify::verify_install_callback(query, fixture::app(), f.clock.now());
  REQUIRE(cb);
  CHECK(cb->shop == "carol.myshopify.com");
  CHECK(cb->state == "nonce-1");
  CHECK_FALSE(cb->code.empty());
  CHECK_FALSE(cb->host.empty());
  // The same with the '?' an app may leave on it.
  CHECK(shopify::verify_install_callback("?" + query, fixture::app(), f.clock.now()));

  auto token = f.run([&] { return f.tokens().exchange_code(cb->shop, cb->code); });
  REQUIRE(token);
  CHECK(shopify::missing_scopes(token->scope, order_scopes).empty());
  CHECK(f.emu.granted_scopes("carol", app_id).value() ==
        std::vector<std::string>{"read_orders", "write_orders"});

  SECTION("the merchant withholds a scope: the grant is short of it") {
    REQUIRE(f.emu.set_merchant_approval("carol",
                                        {.approve = true, .withheld_scopes = {"write_orders"}}));
    auto again = f.run([&] { return f.client.get(*url); });
    REQUIRE(again);
    const std::string loc((*again)[syncline::http::field::location]);
    auto cb2 = shopify::verify_install_callback(loc.substr(loc.find('?') + 1), fixture::app(),
                                                f.clock.now());
    REQUIRE(cb2);
    auto t2 = f.run([&] { return f.tokens().exchange_code(cb2->shop, cb2->code); });
    REQUIRE(t2);
    CHECK(shopify::missing_scopes(t2->scope, order_scopes) ==
          std::vector<std::string>{"write_orders"});
  }
}

TEST_CASE("install callback: a good redirect, and one signed with the previous secret") {
  const auto clock = start_clock();
  auto cb =
      shopify::verify_install_callback(signed_query(redirect(clock)), fixture::app(), clock.now());
  REQUIRE(cb);
  CHECK(cb->shop == "carol.myshopify.com");
  CHECK(cb->code == "code-0123456789abcdef");
  CHECK(cb->state == "nonce-7");
  CHECK(cb->host == "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvY2Fyb2w");

  auto rotating = fixture::app();
  rotating.previous_client_secret = std::move(rotating.client_secret);
  rotating.client_secret = syncline::secret{"the-new-client-secret"};
  CHECK(shopify::verify_install_callback(signed_query(redirect(clock)), rotating, clock.now()));
}

TEST_CASE("install callback: what it refuses, never quoting the code or the hmac") {
  auto clock = start_clock();
  const auto app = fixture::app();
  auto refused = [&](const std::string& query, syncline::errc category, std::string_view why) {
    auto cb = shopify::verify_install_callback(query, app, clock.now());
    CAPTURE(why);
    REQUIRE_FALSE(cb);
    CHECK(cb.error().category == category);
    CHECK(cb.error().message.find(why) != std::string::npos);
    check_no_secret(cb.error(), query);
  };
  using syncline::errc;
  SECTION("forged: signed with another secret") {
    refused(signed_query(redirect(clock), "not-the-app-secret"), errc::unauthorized,
            "hmac does not match");
  }
  SECTION("forged: a parameter changed after signing") {
    std::string q = signed_query(redirect(clock));
    q.replace(q.find("nonce-7"), 7, "nonce-8");
    refused(q, errc::unauthorized, "hmac does not match");
  }
  SECTION("replayed: the timestamp is older than max_age") {
    const std::string q = signed_query(redirect(clock));
    clock.advance(std::chrono::hours(1) + std::chrono::seconds(1));
    refused(q, errc::unauthorized, "3601 s old (at most 3600 s)");
    CHECK(shopify::verify_install_callback(q, app, clock.now(), std::chrono::hours(2)));
  }
  SECTION("a timestamp more than a minute ahead") {
    auto p = redirect(clock);
    p[4].second = seconds_of(clock.now() + std::chrono::seconds(61));
    refused(signed_query(p), errc::unauthorized, "61 s ahead");
    p[4].second = seconds_of(clock.now() + std::chrono::seconds(60));
    CHECK(shopify::verify_install_callback(signed_query(p), app, clock.now()));
  }
  SECTION("a shop that is not {shop}.myshopify.com, though signed") {
    refused(signed_query(redirect(clock, "carol.example.com")), errc::unauthorized,
            "is not {shop}.myshopify.com");
  }
  SECTION("no code, no state, no timestamp, a timestamp that is no number") {
    for (std::string name : {"code", "state", "timestamp"}) {
      auto p = redirect(clock);
      std::erase_if(p, [&](const auto& kv) { return kv.first == name; });
      refused(signed_query(p), errc::invalid_input, "no " + name + " parameter");
    }
    auto p = redirect(clock);
    p[0].second = "";
    refused(signed_query(p), errc::invalid_input, "no code parameter");
    p = redirect(clock);
    p[4].second = "99999999999999999999";
    refused(signed_query(p), errc::invalid_input, "timestamp is not a number");
  }
  SECTION("a parameter given twice") {
    const std::string q = signed_query(redirect(clock)) + "&state=nonce-9";
    refused(q, errc::invalid_input, "\"state\" is given twice");
  }
  SECTION("no hmac at all") {
    refused("code=code-0123456789abcdef&shop=carol.myshopify.com&state=s&timestamp=" +
                seconds_of(clock.now()),
            errc::invalid_input, "no hmac parameter");
  }
}

}  // namespace unity_shopify_oauth_install_test
