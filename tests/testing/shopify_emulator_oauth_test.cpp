// The emulator's app installs, called directly: /admin/oauth/authorize with the headless merchant,
// /admin/oauth/access_token for a code, a refresh token (rotation) and a session token (token
// exchange), expiring tokens on the Admin API, uninstall and the privacy requests.
#include <syncline_emulator/rest_api.hpp>

#include <map>

#include "testing/emulator_fixture.hpp"

namespace unity_testing_shopify_emulator_oauth_test {

using namespace emu_test;

namespace {

constexpr std::string_view carol = "/shops/carol.myshopify.com";

struct call {
  unsigned status = 0;
  json::object body;  // empty when the answer is not JSON
  http::response response;
};

call answer_of(t::emulator_answer a) {
  call c{a.response.result_int(), {}, a.response};
  boost::system::error_code ec;
  auto v = json::parse(a.response.body(), ec);
  if (!ec && v.is_object()) c.body = v.as_object();
  return c;
}

call get(t::shopify_emulator_state& emu, std::string target) {
  return answer_of(emu.handle(request(http::verb::get, std::move(target), "")));
}

// POST /admin/oauth/access_token with a form body (Shopify takes form or JSON).
call token_form(t::shopify_emulator_state& emu, std::string form,
                std::string_view shop_path = carol) {
  auto r = request(http::verb::post, std::string(shop_path) + "/admin/oauth/access_token", "",
                   std::move(form));
  r.set(http::field::content_type, "application/x-www-form-urlencoded");
  return answer_of(emu.handle(r));
}

std::string client_form() {
  return "client_id=" + std::string(app_id) + "&client_secret=" + std::string(app_secret);
}

std::map<std::string, std::string> redirect_params(const call& c) {
  const std::string location(c.response[http::field::location]);
  REQUIRE(location.starts_with(std::string(app_redirect) + "?"));
  auto q = t::detail::parse_query(location.substr(location.find('?') + 1));
  REQUIRE(q);
  return {q->begin(), q->end()};
}

std::string authorize_target(std::string_view scope = "read_orders,write_orders",
                             std::string_view extra = "") {
  return std::string(carol) + "/admin/oauth/authorize?client_id=" + std::string(app_id) +
         "&scope=" + std::string(scope) + "&redirect_uri=" + http::percent_encode(app_redirect) +
         "&state=nonce-1" + std::string(extra);
}

// The merchant approves; returns the code of the redirect.
std::string install_code(t::shopify_emulator_state& emu,
                         std::string_view scope = "read_orders,write_orders") {
  auto c = get(emu, authorize_target(scope));
  REQUIRE(c.status == 302);
  return redirect_params(c).at("code");
}

json::object install(t::shopify_emulator_state& emu, bool expiring = true) {
  auto c = token_form(
      emu, client_form() + "&code=" + install_code(emu) + (expiring ? "&expiring=1" : ""));
  REQUIRE(c.status == 200);
  return c.body;
}

unsigned shop_json_status(t::shopify_emulator_state& emu, std::string_view token) {
  return emu.handle(request(http::verb::get, "/admin/api/2026-01/shop.json", token))
      .response.result_int();
}

std::string text(const json::object& o, std::string_view key) {
  return std::string(o.at(key).as_string());
}

}  // namespace

TEST_CASE("authorize: the merchant approves and is sent back with code, hmac, host, shop, state") {
  t::shopify_emulator_state emu(with_app());
  auto c = get(emu, authorize_target());
  REQUIRE(c.status == 302);
  auto p = redirect_params(c);
  CHECK(p.size() == 6);
  CHECK(p.at("shop") == "carol.myshopify.com");
  CHECK(p.at("state") == "nonce-1");
  CHECK(p.at("timestamp") == "1768491000");  // 2026-01-15T15:30:00Z, the emulator clock
  CHECK(http::base64_decode(p.at("host") + "=") == "admin.shopify.com/store/carol");
  // hex HMAC-SHA256 over the other parameters sorted by name, as openssl computes it
  const std::string message = "code=" + p.at("code") + "&host=" + p.at("host") +
                              "&shop=carol.myshopify.com&state=nonce-1&timestamp=1768491000";
  CHECK(p.at("hmac") == openssl_hmac(app_secret, message, true));
}

TEST_CASE("authorize: what the install screen refuses") {
  t::shopify_emulator_state emu(with_app());
  SECTION("an unknown client id") {
    auto c = get(emu, std::string(carol) +
                          "/admin/oauth/authorize?client_id=nope&scope=read_orders"
                          "&redirect_uri=https%3A%2F%2Fapp.example%2Fauth%2Fcallback");
    CHECK(c.status == 400);
    CHECK(c.response.body().find("invalid_request") != std::string::npos);
  }
  SECTION("a redirect_uri the app did not list") {
    auto c =
        get(emu, std::string(carol) + "/admin/oauth/authorize?client_id=" + std::string(app_id) +
                     "&scope=read_orders&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");
    CHECK(c.status == 400);
    CHECK(c.response.body().find("not whitelisted") != std::string::npos);
  }
  SECTION("a malformed scope") {
    auto c = get(emu, authorize_target("read_orders,drop_tables"));
    CHECK(c.status == 400);
    CHECK(c.response.body().find("invalid_scope") != std::string::npos);
    CHECK(c.response.body().find("drop_tables") != std::string::npos);
  }
  SECTION("a shop the emulator does not have") {
    auto c = get(
        emu, "/shops/nobody.myshopify.com/admin/oauth/authorize?client_id=" + std::string(app_id));
    CHECK(c.status == 404);
  }
  SECTION("the merchant declines") {
    REQUIRE(emu.set_merchant_approval("carol", {.approve = false, .withheld_scopes = {}}));
    auto c = get(emu, authorize_target());
    CHECK(c.status == 403);
    CHECK(c.response[http::field::location].empty());
  }
}

TEST_CASE("access token by code: an expiring offline token that the Admin API accepts") {
  t::shopify_emulator_state emu(with_app());
  auto body = install(emu);
  CHECK(text(body, "access_token").starts_with("shpat_"));
  CHECK(text(body, "scope") == "write_orders");  // write_orders implies read_orders
  CHECK(body.at("expires_in") == 3600);
  CHECK(text(body, "refresh_token").starts_with("shprt_"));
  CHECK(body.at("refresh_token_expires_in") == 90 * 86400);
  CHECK(emu.granted_scopes("carol", app_id).value() ==
        std::vector<std::string>{"read_orders", "write_orders"});
  const std::string token = text(body, "access_token");
  // On a loopback Host the token alone names the shop, as for the shops' own tokens.
  auto shop =
      answer_of(emu.handle(request(http::verb::get, "/admin/api/2026-01/shop.json", token)));
  REQUIRE(shop.status == 200);
  CHECK(shop.body.at("shop").at("myshopify_domain") == "carol.myshopify.com");
  // Named by the path too, and not accepted for another shop.
  CHECK(emu.handle(
               request(http::verb::get, std::string(carol) + "/admin/api/2026-01/shop.json", token))
            .response.result_int() == 200);
  CHECK(emu.handle(request(http::verb::get, "/admin/api/2026-01/shop.json", token, "",
                           "acme.myshopify.com"))
            .response.result_int() == 401);
  // A path naming a shop the emulator does not have is a 404, whatever the token.
  CHECK(emu.handle(request(http::verb::get,
                           "/shops/nobody.myshopify.com/admin/api/2026-01/shop.json", token))
            .response.result_int() == 404);
}

TEST_CASE("access token by code: a JSON body works as well as a form") {
  t::shopify_emulator_state emu(with_app());
  const std::string code = install_code(emu);
  auto c = answer_of(
      emu.handle(request(http::verb::post, std::string(carol) + "/admin/oauth/access_token", "",
                         json::serialize(json::object{{"client_id", app_id},
                                                      {"client_secret", app_secret},
                                                      {"code", code},
                                                      {"expiring", 1}}))));
  REQUIRE(c.status == 200);
  CHECK(c.body.contains("refresh_token"));
}

TEST_CASE("access token by code: the code is single-use, expires, and belongs to its shop") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  SECTION("used twice") {
    const std::string code = install_code(emu);
    REQUIRE(token_form(emu, client_form() + "&code=" + code).status == 200);
    auto again = token_form(emu, client_form() + "&code=" + code);
    CHECK(again.status == 400);
    CHECK(again.body.at("error") == "invalid_grant");
  }
  SECTION("used after it expired") {
    const std::string code = install_code(emu);
    clock.advance(std::chrono::minutes(11));
    auto c = token_form(emu, client_form() + "&code=" + code);
    CHECK(c.status == 400);
    CHECK(c.body.at("error") == "invalid_grant");
    CHECK(text(c.body, "error_description").find("expired") != std::string::npos);
  }
  SECTION("presented at another shop") {
    const std::string code = install_code(emu);
    auto c = token_form(emu, client_form() + "&code=" + code, "/shops/acme.myshopify.com");
    CHECK(c.status == 400);
    CHECK(c.body.at("error") == "invalid_grant");
  }
  SECTION("with a wrong client secret") {
    const std::string code = install_code(emu);
    auto c =
        token_form(emu, "client_id=" + std::string(app_id) + "&client_secret=wrong&code=" + code);
    CHECK(c.status == 401);
    CHECK(c.body.at("error") == "invalid_client");
    CHECK(c.response.body().find("wrong") == std::string::npos);  // no secret echoed
  }
  SECTION("without a code, or with an unknown grant type") {
    CHECK(token_form(emu, client_form()).body.at("error") == "invalid_request");
    auto c = token_form(emu, client_form() + "&grant_type=password");
    CHECK(c.status == 400);
    CHECK(c.body.at("error") == "unsupported_grant_type");
  }
}

TEST_CASE("without expiring=1 the offline token never expires and is the same on reinstall") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  auto first = install(emu, false);
  CHECK_FALSE(first.contains("expires_in"));
  CHECK_FALSE(first.contains("refresh_token"));
  clock.advance(std::chrono::hours(24 * 400));
  CHECK(shop_json_status(emu, text(first, "access_token")) == 200);
  auto second = install(emu, false);
  CHECK(second.at("access_token") == first.at("access_token"));
}

TEST_CASE("an expired access token is answered 401 like Shopify, online tokens last a day") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  const std::string token = text(install(emu), "access_token");
  clock.advance(std::chrono::seconds(3599));
  CHECK(shop_json_status(emu, token) == 200);
  clock.advance(std::chrono::seconds(1));
  auto c = answer_of(emu.handle(request(http::verb::get, "/admin/api/2026-01/shop.json", token)));
  CHECK(c.status == 401);
  CHECK(c.body.at("errors") ==
        "[API] Invalid API key or access token (unrecognized login or wrong password)");
  // GraphQL too
  CHECK(emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json", token,
                           graphql("{ shop { name } }")))
            .response.result_int() == 401);

  auto online = get(emu, authorize_target("read_orders", "&grant_options%5B%5D=per-user"));
  REQUIRE(online.status == 302);
  auto o = token_form(emu, client_form() + "&code=" + redirect_params(online).at("code"));
  REQUIRE(o.status == 200);
  CHECK(text(o.body, "access_token").starts_with("shpua_"));
  CHECK(o.body.at("expires_in") == 86400);
  CHECK(o.body.at("associated_user").at("account_owner") == true);
  CHECK(o.body.at("associated_user_scope") == "read_orders");
}

TEST_CASE(
    "refresh: a new pair each time, the old refresh token lasts until the new token is used") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  auto first = install(emu);
  clock.advance(std::chrono::minutes(55));
  auto refresh = [&](const std::string& rt) {
    return token_form(emu, client_form() + "&grant_type=refresh_token&refresh_token=" + rt);
  };
  auto second = refresh(text(first, "refresh_token"));
  REQUIRE(second.status == 200);
  CHECK(second.body.at("expires_in") == 3600);
  CHECK(second.body.at("scope") == "write_orders");
  CHECK(second.body.at("access_token") != first.at("access_token"));
  CHECK(second.body.at("refresh_token") != first.at("refresh_token"));

  SECTION("the answer was lost: the old refresh token still works, and replaces the lost pair") {
    auto again = refresh(text(first, "refresh_token"));
    REQUIRE(again.status == 200);
    CHECK(shop_json_status(emu, text(again.body, "access_token")) == 200);
    CHECK(shop_json_status(emu, text(second.body, "access_token")) == 401);
    CHECK(refresh(text(second.body, "refresh_token")).status == 400);
    // Using the new token retired the old refresh token.
    auto late = refresh(text(first, "refresh_token"));
    CHECK(late.status == 400);
    CHECK(late.body.at("error") == "invalid_grant");
  }
  SECTION("once the new access token is used, the old refresh token is gone") {
    CHECK(shop_json_status(emu, text(second.body, "access_token")) == 200);
    auto late = refresh(text(first, "refresh_token"));
    CHECK(late.status == 400);
    CHECK(late.body.at("error") == "invalid_grant");
    CHECK(refresh(text(second.body, "refresh_token")).status == 200);
  }
  SECTION("using the new refresh token retires the old one too") {
    REQUIRE(refresh(text(second.body, "refresh_token")).status == 200);
    CHECK(refresh(text(first, "refresh_token")).status == 400);
  }
  SECTION("a refresh token expires after 90 days") {
    clock.advance(std::chrono::hours(24 * 90));
    auto c = refresh(text(second.body, "refresh_token"));
    CHECK(c.status == 400);
    CHECK(c.body.at("error") == "invalid_grant");
  }
  SECTION("a refresh token of another app or shop, or none") {
    CHECK(token_form(emu,
                     client_form() + "&grant_type=refresh_token&refresh_token=" +
                         text(second.body, "refresh_token"),
                     "/shops/acme.myshopify.com")
              .status == 400);
    CHECK(refresh("shprt_made_up").body.at("error") == "invalid_grant");
    CHECK(token_form(emu, client_form() + "&grant_type=refresh_token").body.at("error") ==
          "invalid_request");
  }
}

TEST_CASE("token exchange: a session token the emulator minted becomes an offline token") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  auto exchange = [&](const std::string& jwt, std::string_view requested = "offline") {
    return token_form(emu,
                      client_form() +
                          "&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                          "&subject_token=" +
                          jwt +
                          "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"
                          "&requested_token_type=urn%3Ashopify%3Aparams%3Aoauth%3Atoken-type%3A" +
                          std::string(requested) + "-access-token&expiring=1");
  };
  auto jwt = emu.session_token("carol", app_id, {});
  REQUIRE(jwt);
  // header.payload.signature, the signature an HMAC-SHA256 of the first two with the secret
  const auto dot = jwt->rfind('.');
  std::string sig = openssl_hmac(app_secret, jwt->substr(0, dot));
  while (!sig.empty() && sig.back() == '=') sig.pop_back();
  for (auto& ch : sig) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  CHECK(jwt->substr(dot + 1) == sig);

  auto c = exchange(*jwt);
  REQUIRE(c.status == 200);
  CHECK(text(c.body, "access_token").starts_with("shpat_"));
  CHECK(c.body.at("scope") == "write_orders");  // the scopes of the app's configuration
  CHECK(c.body.contains("refresh_token"));
  CHECK(shop_json_status(emu, text(c.body, "access_token")) == 200);
  CHECK(text(exchange(*emu.session_token("carol", app_id, {}), "online").body, "access_token")
            .starts_with("shpua_"));

  auto refused = [&](t::session_token_options o, std::string_view why) {
    auto r = exchange(*emu.session_token("carol", app_id, o));
    CAPTURE(why);
    CHECK(r.status == 400);
    CHECK(r.body.at("error") == "invalid_subject_token");
    CHECK(text(r.body, "error_description").find(why) != std::string::npos);
  };
  refused({.lifetime = std::chrono::seconds(60), .user_id = "42", .claims = {{"aud", "other"}}},
          "aud");
  refused({.lifetime = std::chrono::seconds(60),
           .user_id = "42",
           .claims = {{"dest", "https://acme.myshopify.com"}}},
          "dest");
  refused({.lifetime = std::chrono::seconds(60),
           .user_id = "42",
           .claims = {{"iss", "https://evil.example/admin"}}},
          "iss");
  {
    auto old = emu.session_token("carol", app_id, {});
    clock.advance(std::chrono::seconds(66));  // one minute of life and 5 s of skew are over
    auto r = exchange(*old);
    CHECK(r.status == 400);
    CHECK(text(r.body, "error_description").find("expired") != std::string::npos);
  }
  {
    std::string tampered = *emu.session_token("carol", app_id, {});
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    auto r = exchange(tampered);
    CHECK(r.status == 400);
    CHECK(text(r.body, "error_description").find("signature") != std::string::npos);
  }
  CHECK(exchange("not-a-jwt").body.at("error") == "invalid_subject_token");
  auto wrong_type =
      token_form(emu, client_form() +
                          "&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                          "&subject_token=" +
                          *jwt + "&subject_token_type=jwt&requested_token_type=x");
  CHECK(wrong_type.body.at("error") == "invalid_request");
  CHECK_FALSE(emu.session_token("carol", "no-such-app", {}));
}

TEST_CASE("the merchant may grant fewer scopes than the app asked for") {
  t::shopify_emulator_state emu(with_app());
  REQUIRE(
      emu.set_merchant_approval("carol", {.approve = true, .withheld_scopes = {"write_orders"}}));
  auto c = token_form(emu, client_form() + "&code=" + install_code(emu));
  REQUIRE(c.status == 200);
  CHECK(c.body.at("scope") == "read_orders");
  CHECK(emu.granted_scopes("carol", app_id).value() == std::vector<std::string>{"read_orders"});
  CHECK_FALSE(emu.granted_scopes("bravo", app_id));
}

TEST_CASE("uninstall revokes the app's tokens, then sends app/uninstalled signed with its secret") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  const std::string token = text(install(emu), "access_token");
  auto created = answer_of(
      emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json", token,
                         graphql(R"(mutation { webhookSubscriptionCreate(topic: APP_UNINSTALLED,
                 webhookSubscription: {callbackUrl: "https://app.example/uninstalled"}) {
                 webhookSubscription { id } userErrors { message } } })"))));
  REQUIRE(created.status == 200);
  REQUIRE(emu.subscriptions("carol").size() == 1);

  REQUIRE(emu.uninstall("carol", app_id));
  CHECK(shop_json_status(emu, token) == 401);
  CHECK(emu.subscriptions("carol").empty());
  CHECK_FALSE(emu.granted_scopes("carol", app_id));
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].topic == "app/uninstalled");
  CHECK(due[0].address == "https://app.example/uninstalled");
  CHECK(due[0].hmac == openssl_hmac(app_secret, due[0].body));
  CHECK(json::parse(due[0].body).at("myshopify_domain") == "carol.myshopify.com");
  CHECK(emu.uninstall("carol", app_id).error().category == syncline::errc::conflict);

  // Installing again works, with a new token.
  const std::string again = text(install(emu), "access_token");
  CHECK(again != token);
  CHECK(shop_json_status(emu, again) == 200);
}

TEST_CASE("uninstalling an OAuth app leaves the shop's own app alone, and the other way round") {
  t::shopify_emulator_state emu(with_app());
  // acme has its own app (a fixed token) and installs the OAuth app beside it.
  auto c =
      get(emu, "/shops/acme.myshopify.com/admin/oauth/authorize?client_id=" + std::string(app_id) +
                   "&scope=read_orders&redirect_uri=" + http::percent_encode(app_redirect));
  REQUIRE(c.status == 302);
  auto t1 = token_form(emu, client_form() + "&code=" + redirect_params(c).at("code"),
                       "/shops/acme.myshopify.com");
  REQUIRE(t1.status == 200);
  const std::string app_token = text(t1.body, "access_token");
  REQUIRE(emu.uninstall("acme", app_id));
  CHECK(shop_json_status(emu, app_token) == 401);
  CHECK(shop_json_status(emu, acme_token) == 200);
  REQUIRE(emu.uninstall("acme"));
  CHECK(shop_json_status(emu, acme_token) == 401);
}

TEST_CASE("privacy requests go to the compliance URL of every app ever installed") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  install(emu);
  auto n = emu.request_privacy(
      "carol", "customers/redact",
      {.customer_id = 7, .email = "c@example.com", .phone = "", .orders = {11, 12}});
  REQUIRE(n);
  CHECK(*n == 1);
  REQUIRE(emu.uninstall("carol", app_id));
  emu.deliveries().take_due(clock.now());  // the redact and app/uninstalled (no subscriber)
  CHECK(emu.request_privacy("carol", "shop/redact", {}).value() == 1);  // after the uninstall
  CHECK(emu.request_privacy("carol", "customers/data_request",
                            {.customer_id = 7, .email = "c@example.com", .phone = "", .orders = {}})
            .value() == 1);
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 2);
  CHECK(due[0].topic == "shop/redact");
  CHECK(due[0].address == app_compliance);
  CHECK(due[0].hmac == openssl_hmac(app_secret, due[0].body));
  auto shop_redact = json::parse(due[0].body).as_object();
  CHECK(shop_redact.at("shop_domain") == "carol.myshopify.com");
  CHECK_FALSE(shop_redact.contains("customer"));
  auto data = json::parse(due[1].body).as_object();
  CHECK(data.at("customer").at("id") == 7);
  CHECK(data.at("orders_requested").as_array().empty());
  CHECK(data.at("data_request").at("id").is_number());

  CHECK(emu.request_privacy("bravo", "customers/redact", {}).value() == 0);  // no app ever there
  CHECK(emu.request_privacy("carol", "orders/create", {}).error().category ==
        syncline::errc::invalid_input);
  CHECK_FALSE(emu.request_privacy("nobody", "shop/redact", {}));
}

TEST_CASE("a shop without its own app cannot be subscribed to directly: nothing could sign it") {
  t::shopify_emulator_state emu(with_app());
  auto sub = emu.subscribe("carol", "orders/create", "https://app.example/orders");
  REQUIRE_FALSE(sub);
  CHECK(sub.error().category == syncline::errc::invalid_input);
  CHECK(sub.error().message.find("webhookSubscriptionCreate") != std::string::npos);
  CHECK(emu.subscribe("acme", "orders/create", "https://app.example/orders"));
}

TEST_CASE("emulated apps are checked when the emulator is made") {
  auto o = with_app();
  o.apps.push_back(app());  // the same client id twice
  t::shopify_emulator_state twice(o);
  CHECK_FALSE(twice.configuration());
  auto bad = with_app();
  bad.apps[0].scopes = {"everything"};
  t::shopify_emulator_state scoped(bad);
  CHECK_FALSE(scoped.configuration());
  auto secretless = with_app();
  secretless.apps[0].client_secret = {};
  t::shopify_emulator_state s(secretless);
  CHECK_FALSE(s.configuration());
  CHECK(t::shopify_emulator_state(with_app()).configuration());
}

}  // namespace unity_testing_shopify_emulator_oauth_test
