// The GraphQL webhook subscriptions (webhookSubscriptionCreate/Delete, webhookSubscriptions),
// called directly: what they answer, the userErrors, and that they drive what the emulator
// delivers.
#include "testing/emulator_fixture.hpp"

namespace unity_testing_shopify_emulator_webhook_subscriptions_test {

using namespace emu_test;

namespace {

constexpr std::string_view create_mutation = R"(
  mutation Create($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
    webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
      webhookSubscription { id legacyResourceId topic format callbackUrl includeFields
                            apiVersion { handle } createdAt }
      userErrors { field message }
    }
  })";

constexpr std::string_view list_query = R"(
  query List($first: Int!, $after: String, $topics: [WebhookSubscriptionTopic!]) {
    webhookSubscriptions(first: $first, after: $after, topics: $topics) {
      edges { cursor node { id topic callbackUrl } }
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  })";

constexpr std::string_view delete_mutation = R"(
  mutation Delete($id: ID!) {
    webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
  })";

json::object post(t::shopify_emulator_state& emu, std::string_view query, json::object variables,
                  std::string_view token = acme_token) {
  auto a = emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json", token,
                              graphql(query, std::move(variables))));
  REQUIRE(a.response.result_int() == 200);
  return json::parse(a.response.body()).as_object();
}

json::object create(t::shopify_emulator_state& emu, std::string_view topic, std::string_view url,
                    std::string_view token = acme_token) {
  auto b = post(emu, create_mutation,
                {{"topic", topic}, {"sub", json::object{{"callbackUrl", url}, {"format", "JSON"}}}},
                token);
  CAPTURE(json::serialize(b));
  REQUIRE_FALSE(b.contains("errors"));
  return b.at("data").at("webhookSubscriptionCreate").as_object();
}

std::string message_of(const json::object& payload) {
  const auto& errors = payload.at("userErrors").as_array();
  REQUIRE(errors.size() == 1);
  return std::string(errors[0].at("message").as_string());
}

}  // namespace

TEST_CASE("webhookSubscriptionCreate subscribes, and the subscription drives deliveries") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  auto p = create(emu, "ORDERS_CREATE", "https://app.example/orders");
  CHECK(p.at("userErrors").as_array().empty());
  const auto& sub = p.at("webhookSubscription");
  CHECK(sub.at("id").as_string().starts_with("gid://shopify/WebhookSubscription/"));
  CHECK(sub.at("topic") == "ORDERS_CREATE");
  CHECK(sub.at("format") == "JSON");
  CHECK(sub.at("callbackUrl") == "https://app.example/orders");
  CHECK(sub.at("apiVersion").at("handle") == "2026-01");
  CHECK(sub.at("createdAt") == "2026-01-15T15:30:00Z");
  auto subs = emu.subscriptions("acme");
  REQUIRE(subs.size() == 1);
  CHECK(subs[0].topic == "orders/create");
  CHECK(sub.at("legacyResourceId") == json::value(std::to_string(subs[0].id)));

  REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].topic == "orders/create");
  CHECK(due[0].address == "https://app.example/orders");
  CHECK(due[0].subscription_id == subs[0].id);
  CHECK(due[0].hmac == openssl_hmac(acme_secret, due[0].body));
}

TEST_CASE(
    "webhookSubscriptionCreate answers userErrors for a bad URL, a duplicate, a privacy topic") {
  t::shopify_emulator_state emu(two_shops());
  auto bad_url = create(emu, "ORDERS_CREATE", "not a url");
  CHECK(bad_url.at("webhookSubscription").is_null());
  CHECK(bad_url.at("userErrors").at(0).at("field") ==
        json::array{"webhookSubscription", "callbackUrl"});
  CHECK(message_of(bad_url).starts_with("Address is not a valid URL"));

  create(emu, "ORDERS_PAID", "https://app.example/paid");
  auto twice = create(emu, "ORDERS_PAID", "https://app.example/paid");
  CHECK(message_of(twice) == "Address for this topic has already been taken");

  auto privacy = create(emu, "CUSTOMERS_REDACT", "https://app.example/redact");
  CHECK(privacy.at("userErrors").at(0).at("field") == json::array{"topic"});
  CHECK(message_of(privacy).find("compliance") != std::string::npos);
  CHECK(emu.subscriptions("acme").size() == 1);

  // A topic Shopify does not have is not a userError but a GraphQL error, as on Shopify.
  auto unknown = post(emu, create_mutation,
                      {{"topic", "ORDERS_EXPLODED"},
                       {"sub", json::object{{"callbackUrl", "https://app.example/x"}}}});
  REQUIRE(unknown.contains("errors"));
  CHECK(json::serialize(unknown.at("errors")).find("WebhookSubscriptionTopic") !=
        std::string::npos);
}

TEST_CASE("webhookSubscriptions pages by cursor and filters by topic") {
  t::shopify_emulator_state emu(two_shops());
  create(emu, "ORDERS_CREATE", "https://app.example/1");
  create(emu, "ORDERS_UPDATED", "https://app.example/2");
  create(emu, "ORDERS_CREATE", "https://app.example/3");
  auto page1 = post(emu, list_query, {{"first", 2}}).at("data").at("webhookSubscriptions");
  CHECK(page1.at("edges").as_array().size() == 2);
  CHECK(page1.at("nodes").as_array().size() == 2);
  CHECK(page1.at("pageInfo").at("hasNextPage") == true);
  CHECK(page1.at("edges").at(0).at("node").at("callbackUrl") == "https://app.example/1");
  auto page2 =
      post(emu, list_query, {{"first", 2}, {"after", page1.at("pageInfo").at("endCursor")}})
          .at("data")
          .at("webhookSubscriptions");
  REQUIRE(page2.at("edges").as_array().size() == 1);
  CHECK(page2.at("edges").at(0).at("node").at("callbackUrl") == "https://app.example/3");
  CHECK(page2.at("pageInfo").at("hasNextPage") == false);

  auto updated = post(emu, list_query, {{"first", 10}, {"topics", json::array{"ORDERS_UPDATED"}}})
                     .at("data")
                     .at("webhookSubscriptions");
  REQUIRE(updated.at("nodes").as_array().size() == 1);

  auto tampered = post(emu, list_query, {{"first", 2}, {"after", "bm90IGEgY3Vyc29y"}});
  CHECK(tampered.contains("errors"));
  // bravo's token sees bravo's subscriptions: none
  auto other = post(emu, list_query, {{"first", 10}}, bravo_token);
  CHECK(other.at("data").at("webhookSubscriptions").at("nodes").as_array().empty());
}

TEST_CASE("webhookSubscriptionDelete removes the subscription, and deliveries stop") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  auto id =
      create(emu, "ORDERS_CREATE", "https://app.example/1").at("webhookSubscription").at("id");
  auto gone = post(emu, delete_mutation, {{"id", id}}).at("data").at("webhookSubscriptionDelete");
  CHECK(gone.at("deletedWebhookSubscriptionId") == id);
  CHECK(gone.at("userErrors").as_array().empty());
  CHECK(emu.subscriptions("acme").empty());
  REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  CHECK(emu.deliveries().take_due(clock.now()).empty());

  auto again = post(emu, delete_mutation, {{"id", id}}).at("data").at("webhookSubscriptionDelete");
  CHECK(again.at("deletedWebhookSubscriptionId").is_null());
  CHECK(message_of(again.as_object()) == "Webhook subscription does not exist");
}

TEST_CASE("an app sees, deletes and is signed for its own subscriptions only") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(with_app(clock));
  // The OAuth app installs in acme beside acme's own app (its fixed token).
  auto a = emu.handle(
      request(http::verb::get,
              "/shops/acme.myshopify.com/admin/oauth/authorize?client_id=" + std::string(app_id) +
                  "&scope=read_orders&redirect_uri=" + http::percent_encode(app_redirect),
              ""));
  REQUIRE(a.response.result_int() == 302);
  const std::string location(a.response[http::field::location]);
  const auto code_at = location.find("code=") + 5;
  const std::string code = location.substr(code_at, location.find('&', code_at) - code_at);
  auto tr = request(http::verb::post, "/shops/acme.myshopify.com/admin/oauth/access_token", "",
                    json::serialize(json::object{
                        {"client_id", app_id}, {"client_secret", app_secret}, {"code", code}}));
  auto tok = json::parse(emu.handle(tr).response.body());
  const std::string app_token(tok.at("access_token").as_string());

  auto own = create(emu, "ORDERS_CREATE", "https://own.example/orders");
  auto theirs = create(emu, "ORDERS_CREATE", "https://app.example/orders", app_token);
  CHECK(theirs.at("userErrors").as_array().empty());  // same topic and URL rule is per app
  auto listed = post(emu, list_query, {{"first", 10}}, app_token);
  REQUIRE(listed.at("data").at("webhookSubscriptions").at("nodes").as_array().size() == 1);
  auto denied =
      post(emu, delete_mutation, {{"id", own.at("webhookSubscription").at("id")}}, app_token)
          .at("data")
          .at("webhookSubscriptionDelete");
  CHECK(message_of(denied.as_object()) == "Webhook subscription does not exist");

  REQUIRE(emu.create_order("acme", json::parse(simple_order()).at("order").as_object()));
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 2);
  for (const auto& d : due) {
    CAPTURE(d.address);
    CHECK(d.hmac ==
          openssl_hmac(d.address.starts_with("https://app.") ? app_secret : acme_secret, d.body));
  }
}

}  // namespace unity_testing_shopify_emulator_webhook_subscriptions_test
