// shopify::verify_session_token with tokens crafted here: a good one, then each way a token can
// be wrong, each refused with a message that says which check failed and never holds the token.
#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/http/hmac.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace unity_shopify_session_token_test {

namespace {

namespace shopify = syncline::shopify;
using namespace std::chrono_literals;
using clock_type = std::chrono::system_clock;

const clock_type::time_point now = clock_type::time_point(std::chrono::seconds(1'796'000'000));
const shopify::app_credentials app{.client_id = "client-123",
                                   .client_secret = syncline::secret{"shpss_current_secret"}};

std::int64_t seconds(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

boost::json::object good_claims() {
  return {{"iss", "https://acme.myshopify.com/admin"},
          {"dest", "https://acme.myshopify.com"},
          {"aud", "client-123"},
          {"sub", "42"},
          {"exp", seconds(now + 60s)},
          {"nbf", seconds(now - 60s)},
          {"iat", seconds(now - 60s)},
          {"jti", "f8912129-1af6-4cad-9ca3-76b0f7621087"},
          {"sid", "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685"}};
}

std::string b64(const std::string& s) { return syncline::http::base64url_encode(s); }

std::string make_token(const boost::json::object& claims,
                       std::string_view secret = "shpss_current_secret",
                       const boost::json::object& header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
  const std::string signing =
      b64(boost::json::serialize(header)) + "." + b64(boost::json::serialize(claims));
  const auto mac = syncline::http::hmac_sha256(secret, signing);
  return signing + "." + b64(std::string(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// Verifies `token` and expects it refused with `category` and a message containing `text`.
void expect_refused(const std::string& token, syncline::errc category, const std::string& text,
                    const shopify::app_credentials& with = app) {
  auto r = shopify::verify_session_token(token, with, now);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == category);
  CHECK_THAT(r.error().message, Catch::Matchers::Contains(text));
  if (!token.empty()) CHECK(r.error().message.find(token) == std::string::npos);
  CHECK(r.error().message.find("shpss_") == std::string::npos);
}

}  // namespace

TEST_CASE("session token: a good token gives its shop, user and times") {
  auto r = shopify::verify_session_token(make_token(good_claims()), app, now);
  REQUIRE(r);
  CHECK(r->shop_domain == "acme.myshopify.com");
  CHECK(r->user == "42");
  CHECK(r->token_id == "f8912129-1af6-4cad-9ca3-76b0f7621087");
  CHECK(r->session.size() == 64);
  CHECK(r->expires_at == now + 60s);
  CHECK(r->not_before == now - 60s);
}

TEST_CASE("session token: signed with the previous secret during a rotation") {
  auto rotating = app;
  rotating.client_secret = syncline::secret{"shpss_new_secret"};
  rotating.previous_client_secret = syncline::secret{"shpss_current_secret"};
  CHECK(shopify::verify_session_token(make_token(good_claims()), rotating, now));
  CHECK(
      shopify::verify_session_token(make_token(good_claims(), "shpss_new_secret"), rotating, now));
}

TEST_CASE("session token: a bad signature, a tampered payload or another alg is refused") {
  using syncline::errc;
  expect_refused(make_token(good_claims(), "shpss_other_app"), errc::unauthorized,
                 "bad signature: not signed with the app's client secret");

  // The payload of another shop with the signature of acme's.
  const std::string good = make_token(good_claims());
  auto other = good_claims();
  other["dest"] = "https://evil.myshopify.com";
  other["iss"] = "https://evil.myshopify.com/admin";
  const std::string forged_payload = b64(boost::json::serialize(other));
  const std::size_t dot1 = good.find('.'), dot2 = good.rfind('.');
  expect_refused(good.substr(0, dot1 + 1) + forged_payload + good.substr(dot2), errc::unauthorized,
                 "bad signature");

  expect_refused(make_token(good_claims(), "shpss_current_secret", {{"alg", "none"}}),
                 errc::unauthorized, "alg \"none\", expected HS256");
  expect_refused(make_token(good_claims(), "shpss_current_secret", {{"alg", "RS256"}}),
                 errc::unauthorized, "alg \"RS256\", expected HS256");
  expect_refused(make_token(good_claims(), "shpss_current_secret", {{"typ", "JWT"}}),
                 errc::unauthorized, "no alg, expected HS256");
}

TEST_CASE("session token: expired and not yet valid, with a few seconds of leeway") {
  using syncline::errc;
  auto claims = good_claims();
  claims["exp"] = seconds(now - 4s);  // within the 5 s leeway
  CHECK(shopify::verify_session_token(make_token(claims), app, now));
  claims["exp"] = seconds(now - 5s);
  expect_refused(make_token(claims), errc::unauthorized, "expired at ");
  claims["exp"] = seconds(now - 1h);
  auto r = shopify::verify_session_token(make_token(claims), app, now);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message,
             Catch::Matchers::EndsWith("(now 2026-11-30T00:53:20Z, leeway 5 s)"));

  claims = good_claims();
  claims["nbf"] = seconds(now + 5s);  // a clock 5 s ahead of ours: still fine
  CHECK(shopify::verify_session_token(make_token(claims), app, now));
  claims["nbf"] = seconds(now + 6s);
  expect_refused(make_token(claims), errc::unauthorized, "not valid before ");
}

TEST_CASE("session token: another app's token, and a dest or iss that does not fit") {
  using syncline::errc;
  auto claims = good_claims();
  claims["aud"] = "client-999";
  expect_refused(make_token(claims), errc::unauthorized,
                 "aud is not this app's client id \"client-123\"");
  claims["aud"] = boost::json::array{"client-999", "client-123"};
  CHECK(shopify::verify_session_token(make_token(claims), app, now));
  claims.erase("aud");
  expect_refused(make_token(claims), errc::unauthorized, "aud is not this app's client id");

  for (const char* dest :
       {"https://acme.example.com", "http://acme.myshopify.com", "https://acme.myshopify.com/admin",
        "https://acme.myshopify.com:443", "https://-acme.myshopify.com", "acme.myshopify.com"}) {
    claims = good_claims();
    claims["dest"] = dest;
    claims["iss"] = std::string(dest) + "/admin";
    expect_refused(make_token(claims), errc::unauthorized, "is not https://{shop}.myshopify.com");
  }
  claims = good_claims();
  claims.erase("dest");
  expect_refused(make_token(claims), errc::unauthorized, "dest \"\" is not https://");

  claims = good_claims();
  claims["iss"] = "https://other.myshopify.com/admin";
  expect_refused(make_token(claims), errc::unauthorized,
                 "iss \"https://other.myshopify.com/admin\" is not dest "
                 "\"https://acme.myshopify.com\" + \"/admin\"");
  claims["iss"] = "https://acme.myshopify.com";
  expect_refused(make_token(claims), errc::unauthorized, "is not dest");

  // A shop name in capitals is read in lower case, as Shopify compares it.
  claims = good_claims();
  claims["dest"] = "https://ACME.myshopify.com";
  claims["iss"] = "https://ACME.myshopify.com/admin";
  auto r = shopify::verify_session_token(make_token(claims), app, now);
  REQUIRE(r);
  CHECK(r->shop_domain == "acme.myshopify.com");
}

TEST_CASE("session token: what is not a JWT is malformed") {
  using syncline::errc;
  const std::string good = make_token(good_claims());
  expect_refused("", errc::invalid_input, "expected three base64url parts");
  expect_refused("abc", errc::invalid_input, "expected three base64url parts");
  expect_refused(good + ".x", errc::invalid_input, "expected three base64url parts");
  expect_refused("!!!." + good.substr(good.find('.') + 1), errc::invalid_input,
                 "its header is not base64url");
  expect_refused(b64("not json") + good.substr(good.find('.')), errc::invalid_input,
                 "its header is not a JSON object");
  expect_refused(good.substr(0, good.rfind('.')) + ".a+b/", errc::invalid_input,
                 "its signature is not base64url");
  expect_refused(std::string(shopify::max_session_token_size + 1, 'a'), errc::invalid_input,
                 "8193 bytes, at most 8192 expected");

  auto claims = good_claims();
  claims["exp"] = "tomorrow";
  expect_refused(make_token(claims), errc::invalid_input,
                 "claim \"exp\" is missing or not a whole number of seconds");
  claims = good_claims();
  claims.erase("nbf");
  expect_refused(make_token(claims), errc::invalid_input, "claim \"nbf\" is missing");
  claims = good_claims();
  claims["sub"] = 42;
  expect_refused(make_token(claims), errc::invalid_input, "claim \"sub\" is not a string");
}

TEST_CASE("session token: app credentials without a client id or secret are a clear error") {
  const std::string token = make_token(good_claims());
  auto no_id = shopify::verify_session_token(token, {.client_secret = app.client_secret}, now);
  REQUIRE_FALSE(no_id);
  CHECK(no_id.error().category == syncline::errc::invalid_input);
  CHECK_THAT(no_id.error().message, Catch::Matchers::Contains("no client_id"));
  auto no_secret = shopify::verify_session_token(token, {.client_id = "client-123"}, now);
  REQUIRE_FALSE(no_secret);
  CHECK_THAT(no_secret.error().message, Catch::Matchers::Contains("no client secret"));
}

}  // namespace unity_shopify_session_token_test
