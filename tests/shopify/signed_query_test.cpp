// shopify::verify_signed_query: Shopify's own example redirect, then queries crafted here.
#include <syncline/connectors/shopify/signed_query.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace unity_shopify_signed_query_test {

namespace {

namespace shopify = syncline::shopify;

const shopify::app_credentials app{.client_id = "client-123",
                                   .client_secret = syncline::secret{"hush"}};

// The redirect of Shopify's OAuth documentation, signed with the client secret "hush".
constexpr std::string_view shopify_example =
    "code=0907a61c0c8d55e99db179b68161bc00&hmac="
    "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com"
    "&state=0.6784241404160823&timestamp=1337178173";

std::string signed_query(std::vector<std::pair<std::string, std::string>> params,
                         const std::string& raw_pairs, std::string_view secret = "hush") {
  return raw_pairs + "&hmac=" + shopify::signed_query_hmac(std::move(params), secret);
}

}  // namespace

TEST_CASE("signed query: Shopify's documented example verifies") {
  auto q = shopify::verify_signed_query(shopify_example, app);
  REQUIRE(q);
  CHECK(q->shop_domain == "some-shop.myshopify.com");
  CHECK(q->get("code") == "0907a61c0c8d55e99db179b68161bc00");
  CHECK(q->get("state") == "0.6784241404160823");
  CHECK(q->get("timestamp") == "1337178173");
  CHECK_FALSE(q->get("hmac"));
  CHECK(q->params.size() == 4);
}

TEST_CASE("signed query: parameters are decoded before signing, in any order") {
  // host is base64 with '=' padding, sent percent-encoded; Shopify signs the decoded value.
  const std::vector<std::pair<std::string, std::string>> params = {
      {"shop", "acme.myshopify.com"},
      {"host", "YWNtZS5teXNob3BpZnkuY29tL2FkbWlu"},
      {"state", "a b&c%d"},
      {"timestamp", "1796000000"}};
  const std::string raw =
      "timestamp=1796000000&state=a+b%26c%25d&host=YWNtZS5teXNob3BpZnkuY29tL2FkbWlu&shop=acme."
      "myshopify.com";
  auto q = shopify::verify_signed_query(signed_query(params, raw), app);
  REQUIRE(q);
  CHECK(q->get("state") == "a b&c%d");
  CHECK(q->params.front().first == "host");  // sorted

  // During a rotation the previous secret is accepted too.
  auto rotating = app;
  rotating.client_secret = syncline::secret{"new-secret"};
  rotating.previous_client_secret = syncline::secret{"hush"};
  CHECK(shopify::verify_signed_query(signed_query(params, raw), rotating));
}

TEST_CASE("signed query: a forged or changed query is refused") {
  std::string tampered(shopify_example);
  tampered.replace(tampered.find("some-shop"), 9, "evil-shop");
  auto r = shopify::verify_signed_query(tampered, app);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::unauthorized);
  CHECK(r.error().message ==
        "Shopify signed query refused: hmac does not match the parameters signed with the app's "
        "client secret");

  const auto other = shopify::app_credentials{.client_secret = syncline::secret{"not-hush"}};
  CHECK(shopify::verify_signed_query(shopify_example, other).error().category ==
        syncline::errc::unauthorized);

  // An extra parameter, even one the app ignores, breaks the signature.
  CHECK_FALSE(shopify::verify_signed_query(std::string(shopify_example) + "&admin=1", app));
  // Upper-case hex is not what Shopify sends.
  std::string upper(shopify_example);
  const auto at = upper.find("700e2dadb8");
  upper.replace(at, 10, "700E2DADB8");
  CHECK_FALSE(shopify::verify_signed_query(upper, app));
}

TEST_CASE("signed query: a shop that is not {shop}.myshopify.com is refused after the signature") {
  for (const char* shop : {"acme.example.com", "acme.myshopify.com.evil.com", "-acme.myshopify.com",
                           "acme.myshopify.com/admin", ""}) {
    INFO(shop);
    const std::string raw = "shop=" + std::string(shop) + "&timestamp=1";
    auto r =
        shopify::verify_signed_query(signed_query({{"shop", shop}, {"timestamp", "1"}}, raw), app);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::unauthorized);
    CHECK_THAT(r.error().message, Catch::Matchers::EndsWith("is not {shop}.myshopify.com"));
  }
  // Capitals are read in lower case, as Shopify's own check ignores case.
  auto q = shopify::verify_signed_query(
      signed_query({{"shop", "ACME.myshopify.com"}}, "shop=ACME.myshopify.com"), app);
  REQUIRE(q);
  CHECK(q->shop_domain == "acme.myshopify.com");
}

TEST_CASE("signed query: what cannot be read is invalid_input") {
  using syncline::errc;
  struct bad_case {
    std::string query;
    std::string message;
  };
  const bad_case cases[] = {
      {"shop=acme.myshopify.com&timestamp=1", "Shopify signed query: no hmac parameter"},
      {"", "Shopify signed query: no hmac parameter"},
      {signed_query({{"timestamp", "1"}}, "timestamp=1"),
       "Shopify signed query: no shop parameter"},
      {"shop=a%zz.myshopify.com&hmac=00", "Shopify signed query: a broken %-escape in \"shop\""},
      {"shop=a.myshopify.com&shop=b.myshopify.com&hmac=00",
       "Shopify signed query: parameter \"shop\" is given twice"},
      {"hmac=00&shop=a.myshopify.com&hmac=11",
       "Shopify signed query: parameter \"hmac\" is given twice"},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    auto r = shopify::verify_signed_query(c.query, app);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK(r.error().message == c.message);
  }
  auto no_secret = shopify::verify_signed_query(shopify_example, {.client_id = "client-123"});
  REQUIRE_FALSE(no_secret);
  CHECK_THAT(no_secret.error().message, Catch::Matchers::Contains("no client secret"));
}

}  // namespace unity_shopify_signed_query_test
