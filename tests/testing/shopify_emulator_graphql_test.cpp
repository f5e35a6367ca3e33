// The emulator's GraphQL Admin API, called directly: orderCreate/orderUpdate, orders with
// pagination and search, cost accounting and throttling, and the errors for what it refuses.
#include <syncline_emulator/graphql_document.hpp>
#include <syncline_emulator/opaque_cursor.hpp>

#include "testing/emulator_fixture.hpp"

namespace unity_testing_shopify_emulator_graphql_test {

using namespace emu_test;

namespace {

constexpr std::string_view create_mutation = R"(
  mutation Create($order: OrderCreateOrderInput!) {
    orderCreate(order: $order) {
      order { id legacyResourceId name sourceIdentifier tags totalPriceSet { shopMoney { amount currencyCode } } }
      userErrors { field message code }
    }
  })";

json::object order_input(std::string_view source_identifier) {
  return {{"email", "gql@example.com"},
          {"sourceIdentifier", source_identifier},
          {"tags", json::array{"from-app", "b2b"}},
          {"customAttributes", json::array{json::object{{"key", "erp"}, {"value", "E-1"}}}},
          {"lineItems",
           json::array{json::object{
               {"title", "Widget"},
               {"quantity", 3},
               {"priceSet", {{"shopMoney", {{"amount", "4.00"}, {"currencyCode", "USD"}}}}}}}}};
}

struct gql_call {
  unsigned status;
  json::object body;
  http::response response;
};

gql_call post(t::shopify_emulator_state& emu, std::string_view query, json::object variables = {},
              std::string_view version = "2026-01", std::string_view token = acme_token) {
  auto a =
      emu.handle(request(http::verb::post, "/admin/api/" + std::string(version) + "/graphql.json",
                         token, graphql(query, std::move(variables))));
  gql_call c{a.response.result_int(), {}, a.response};
  c.body = json::parse(a.response.body()).as_object();
  return c;
}

std::string first_error(const gql_call& c) {
  REQUIRE(c.body.contains("errors"));
  return std::string(c.body.at("errors").at(0).at("message").as_string());
}

}  // namespace

TEST_CASE("GraphQL orderCreate creates the order, returns it with userErrors and the cost") {
  t::shopify_emulator_state emu(two_shops());
  auto c = post(emu, create_mutation, {{"order", order_input("ext-9")}});
  REQUIRE(c.status == 200);
  CAPTURE(c.response.body());
  REQUIRE_FALSE(c.body.contains("errors"));
  auto payload = c.body.at("data").at("orderCreate");
  CHECK(payload.at("userErrors").as_array().empty());
  auto order = payload.at("order");
  CHECK(order.at("id") == "gid://shopify/Order/820982911946154509");
  CHECK(order.at("legacyResourceId") == "820982911946154509");  // UnsignedInt64 travels as a string
  CHECK(order.at("name") == "#1001");
  CHECK(order.at("sourceIdentifier") == "ext-9");
  CHECK(order.at("tags") == json::array{"from-app", "b2b"});
  CHECK(order.at("totalPriceSet").at("shopMoney").at("amount") ==
        "12.0");  // GraphQL Decimal spelling
  auto cost = c.body.at("extensions").at("cost");
  CHECK(cost.at("requestedQueryCost") == 10);
  CHECK(cost.at("actualQueryCost") == 10);
  CHECK(cost.at("throttleStatus").at("maximumAvailable") == 2000);
  CHECK(cost.at("throttleStatus").at("currentlyAvailable") == 1990);
  CHECK(cost.at("throttleStatus").at("restoreRate") == 100);
  CHECK(c.response["X-Shopify-API-Version"] == "2026-01");
  auto stored = emu.orders("acme").at(0);
  CHECK(stored.at("note_attributes").at(0).at("name") == "erp");
  CHECK(stored.at("total_price") == "12.00");
  CHECK(stored.at("tags") == "from-app, b2b");
}

TEST_CASE(
    "GraphQL orderCreate reports invalid input as userErrors, and unknown input as a variable "
    "error") {
  t::shopify_emulator_state emu(two_shops());
  auto input = order_input("x");
  input["lineItems"] = json::array{};
  input["email"] = "broken";
  auto c = post(emu, create_mutation, {{"order", input}});
  REQUIRE_FALSE(c.body.contains("errors"));
  auto errors = c.body.at("data").at("orderCreate").at("userErrors").as_array();
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].at("field") == json::array{"order", "email"});
  CHECK(errors[0].at("message") == "Email is invalid");
  CHECK(errors[0].at("code") == "INVALID");
  CHECK(errors[1].at("field") == json::array{"order", "lineItems"});
  CHECK(c.body.at("data").at("orderCreate").at("order").is_null());

  auto unknown = order_input("x");
  unknown["idempotencyKey"] = "k";
  auto u = post(emu, create_mutation, {{"order", unknown}});
  CHECK(first_error(u) ==
        "Variable $order of type OrderCreateOrderInput! was provided invalid value for "
        "idempotencyKey (Field is not "
        "defined on OrderCreateOrderInput)");
  CHECK(u.body.at("errors").at(0).at("extensions").at("problems").at(0).at("path") ==
        json::array{"idempotencyKey"});
  CHECK_FALSE(u.body.contains("data"));

  auto wrong_type = order_input("x");
  wrong_type["lineItems"].as_array()[0].as_object()["quantity"] = "three";
  CHECK(first_error(post(emu, create_mutation, {{"order", wrong_type}})) ==
        "Variable $order of type OrderCreateOrderInput! was provided invalid value for "
        "lineItems.0.quantity (Could "
        "not coerce value \"three\" to Int)");
  CHECK(first_error(post(emu, create_mutation)) ==
        "Variable $order of type OrderCreateOrderInput! was provided invalid value (Expected value "
        "to not be null)");
  CHECK(emu.orders("acme").empty());
}

TEST_CASE("GraphQL orders: first/after pagination with pageInfo and Shopify-shaped cursors") {
  t::shopify_emulator_state emu(two_shops());
  for (int i = 0; i < 5; ++i)
    REQUIRE(post(emu, create_mutation, {{"order", order_input("s" + std::to_string(i))}}).status ==
            200);
  constexpr std::string_view q = R"(query Page($after: String) {
      orders(first: 2, after: $after) {
        edges { cursor node { name } }
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
      }
    })";
  std::vector<std::string> names;
  json::value after = nullptr;
  int pages = 0;
  for (;; ++pages) {
    REQUIRE(pages < 5);
    auto c = post(emu, q, {{"after", after}});
    REQUIRE_FALSE(c.body.contains("errors"));
    auto conn = c.body.at("data").at("orders");
    for (auto& e : conn.at("edges").as_array())
      names.emplace_back(e.at("node").at("name").as_string());
    auto info = conn.at("pageInfo");
    CHECK(info.at("hasPreviousPage") == (pages > 0));
    if (!info.at("hasNextPage").as_bool()) break;
    after = info.at("endCursor");
  }
  CHECK(pages == 2);
  CHECK(names == std::vector<std::string>{"#1001", "#1002", "#1003", "#1004", "#1005"});
  auto cursor = t::detail::decode_cursor(std::string_view(after.as_string()));
  REQUIRE(cursor);
  CHECK(cursor->contains("last_id"));
  CHECK(cursor->contains("last_value"));

  auto last = post(emu, "{ orders(last: 2, reverse: true) { nodes { name } } }");
  CHECK(last.body.at("data").at("orders").at("nodes") ==
        json::array{json::object{{"name", "#1002"}}, json::object{{"name", "#1001"}}});
  CHECK(first_error(post(emu, "{ orders { nodes { id } } }")) ==
        "you must provide one of first or last");
  CHECK(first_error(post(emu, "{ orders(first: 251) { nodes { id } } }")).find("250") !=
        std::string::npos);
  CHECK(first_error(post(emu, "{ orders(first: 1, after: \"garbage\") { nodes { id } } }"))
            .starts_with("Invalid cursor"));
}

TEST_CASE("GraphQL orders(query:) filters on source_identifier, name, id and timestamps") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(
        post(emu, create_mutation, {{"order", order_input("src-" + std::to_string(i))}}).status ==
        200);
    clock.advance(1h);
  }
  auto names = [&](std::string_view search) {
    auto c = post(emu, "query($q: String) { orders(first: 10, query: $q) { nodes { name } } }",
                  {{"q", search}});
    CAPTURE(c.response.body());
    REQUIRE_FALSE(c.body.contains("errors"));
    std::vector<std::string> out;
    for (auto& n : c.body.at("data").at("orders").at("nodes").as_array())
      out.emplace_back(n.at("name").as_string());
    return out;
  };
  using v = std::vector<std::string>;
  CHECK(names("source_identifier:src-1") == v{"#1002"});
  CHECK(names("source_identifier:'src-2'") == v{"#1003"});
  CHECK(names("name:#1003") == v{"#1003"});
  CHECK(names("name:1001 OR name:1003") == v{"#1001", "#1003"});
  CHECK(names("id:>820982911946154509") == v{"#1002", "#1003"});
  CHECK(names("id:gid://shopify/Order/820982911946154510") == v{"#1002"});
  CHECK(names("created_at:>'2026-01-15T16:00:00Z'") == v{"#1002", "#1003"});
  CHECK(names("updated_at:<=2026-01-15T11:30:00-05:00") == v{"#1001", "#1002"});
  CHECK(names("created_at:2026-01-15") == v{"#1001", "#1002", "#1003"});
  CHECK(names("-name:#1001 tag:b2b") == v{"#1002", "#1003"});
  CHECK(names("src-0") == v{"#1001"});

  auto warned =
      post(emu, R"({ orders(first: 5, query: "colour:red name:#1001") { nodes { name } } })");
  CHECK(warned.body.at("data").at("orders").at("nodes").as_array().size() == 1);
  auto search = warned.body.at("extensions").at("search").at(0);
  CHECK(search.at("warnings").at(0).at("field") == "colour");
  CHECK(
      first_error(post(emu, R"gql({ orders(first: 5, query: "(a OR b)") { nodes { name } } })gql"))
          .find("parentheses") != std::string::npos);

  auto count = post(emu, R"({ ordersCount(query: "tag:from-app") { count precision } })");
  CHECK(count.body.at("data").at("ordersCount").at("count") == 3);
  auto one = post(
      emu,
      R"({ order(id: "gid://shopify/Order/820982911946154510") { name } missing: order(id: "gid://shopify/Order/1") { name } })");
  CHECK(one.body.at("data").at("order").at("name") == "#1002");
  CHECK(one.body.at("data").at("missing").is_null());
}

TEST_CASE(
    "GraphQL cost: connections cost 2 + first x children, refunds to the actual cost, THROTTLED "
    "when short") {
  auto clock = start_clock();
  auto options = two_shops(clock);
  options.shops[0].plan.graphql_bucket = 160;
  options.shops[0].plan.graphql_restore_per_second = 10;
  t::shopify_emulator_state emu(std::move(options));
  auto classic =
      post(emu, "{ orders(first: 50) { edges { node { id } } } }", {}, "2026-01", bravo_token);
  CHECK(classic.body.at("extensions").at("cost").at("requestedQueryCost") == 52);
  CHECK(classic.body.at("extensions").at("cost").at("actualQueryCost") == 2);

  REQUIRE(post(emu, create_mutation, {{"order", order_input("a")}}).status ==
          200);  // 10 points: 150 left
  // Order 1 + MoneyBag 1 + MoneyV2 1 per node: 2 + 50 * 3 = 152 > 150.
  constexpr std::string_view q =
      "{ orders(first: 50) { edges { node { id totalPriceSet { shopMoney { amount } } } } } }";
  auto throttled = post(emu, q);
  CHECK(throttled.status == 200);
  CHECK(first_error(throttled) == "Throttled");
  CHECK(throttled.body.at("errors").at(0).at("extensions").at("code") == "THROTTLED");
  auto tcost = throttled.body.at("extensions").at("cost");
  CHECK(tcost.at("requestedQueryCost") == 152);
  CHECK(tcost.at("actualQueryCost").is_null());
  CHECK(tcost.at("throttleStatus").at("currentlyAvailable") == 150);
  CHECK(tcost.at("throttleStatus").at("maximumAvailable") == 160);
  CHECK_FALSE(throttled.body.contains("data"));

  clock.advance(1s);  // 10 points restored: the bucket is full again
  auto c = post(emu, q);
  REQUIRE_FALSE(c.body.contains("errors"));
  auto cost = c.body.at("extensions").at("cost");
  CHECK(cost.at("requestedQueryCost") == 152);
  CHECK(cost.at("actualQueryCost") == 5);  // one order came back: 2 + 3
  CHECK(cost.at("throttleStatus").at("currentlyAvailable") == 155);

  auto huge =
      post(emu, "{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }");
  CHECK(huge.body.at("errors").at(0).at("extensions").at("code") == "MAX_COST_EXCEEDED");
  CHECK(first_error(huge).starts_with(
      "Query cost is 63252, which exceeds the single query max cost limit (1000)."));
}

TEST_CASE("GraphQL THROTTLED may be answered with 429 and Retry-After when configured") {
  auto options = two_shops();
  options.graphql_throttle_status = 429;
  options.shops[0].plan.graphql_bucket = 20;
  t::shopify_emulator_state emu(std::move(options));
  REQUIRE(post(emu, create_mutation, {{"order", order_input("a")}}).status == 200);
  REQUIRE(post(emu, create_mutation, {{"order", order_input("b")}}).status == 200);
  auto c = post(emu, create_mutation, {{"order", order_input("c")}});
  CHECK(c.status == 429);
  CHECK(c.response[http::field::retry_after] == "1");
  CHECK(first_error(c) == "Throttled");
  CHECK(emu.orders("acme").size() == 2);
}

TEST_CASE("GraphQL refuses what it does not know, with graphql-ruby's messages and codes") {
  t::shopify_emulator_state emu(two_shops());
  auto unknown = post(emu, "{ orders(first: 1) { nodes { id colour } } }");
  CHECK(first_error(unknown) == "Field 'colour' doesn't exist on type 'Order'");
  auto e = unknown.body.at("errors").at(0);
  CHECK(e.at("extensions").at("code") == "undefinedField");
  CHECK(e.at("path") == json::array{"query", "orders", "nodes", "colour"});
  CHECK(e.at("locations").at(0).at("column") == 33);
  CHECK_FALSE(unknown.body.contains("data"));

  CHECK(first_error(post(emu, "{ orders(first: 1, colour: RED) { nodes { id } } }")) ==
        "Field 'orders' doesn't accept argument 'colour'");
  CHECK(first_error(post(emu, "{ order { id } }")) ==
        "Field 'order' is missing required arguments: id");
  CHECK(first_error(post(emu, "{ orders(first: 1) { nodes { name { x } } } }")) ==
        "Selections can't be made on scalars (field 'name' returns String but has selections [x])");
  CHECK(first_error(post(emu, "{ orders(first: 1) }"))
            .starts_with("Field must have selections (field 'orders' returns OrderConnection"));
  CHECK(first_error(post(emu, "query($n: Int) { shop { name } }")) ==
        "Variable $n is declared by anonymous query but not used");
  CHECK(first_error(post(emu, "{ orders(first: $n) { nodes { id } } }")) ==
        "Variable $n is used by anonymous query but not declared");
  CHECK(first_error(post(emu, "{ orders(first: \"ten\") { nodes { id } } }"))
            .starts_with("Argument 'first' on Field 'orders' has an invalid value (\"ten\"). "
                         "Expected type 'Int'."));
  CHECK(first_error(post(emu, "{ __schema { types { name } } }")).find("Introspection") !=
        std::string::npos);
  CHECK(first_error(post(emu, "subscription { orders }")) ==
        "Schema is not configured for subscriptions");
  CHECK(first_error(post(emu, "{ orders(first: 1) { nodes { ...Missing } } }")) ==
        "Fragment Missing was used, but not defined");
  CHECK(first_error(post(emu, "{ shop { name } @deprecated }")).starts_with("Parse error"));
  CHECK(first_error(post(emu, "{ shop { name @cached } }")) == "Directive @cached is not defined");
  auto parse = post(emu, "{ orders(first: 1) { nodes { id }");
  CHECK(first_error(parse).starts_with("Parse error on end of input"));
  CHECK(parse.body.at("errors").at(0).at("locations").at(0).at("line") == 1);
  CHECK(first_error(post(emu, "query A { shop { name } } query B { shop { name } }"))
            .starts_with("An operation name is required"));

  auto no_query = emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json",
                                     acme_token, "{\"variables\":{}}"));
  CHECK(no_query.response.result_int() == 400);
  CHECK(emu.handle(request(http::verb::get, "/admin/api/2026-01/graphql.json"))
            .response.result_int() == 404);
  CHECK(emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json", "",
                           graphql("{ shop { name } }")))
            .response.result_int() == 401);
}

TEST_CASE(
    "GraphQL reads fragments, aliases, __typename, directives and application/graphql bodies") {
  t::shopify_emulator_state emu(two_shops());
  REQUIRE(post(emu, create_mutation, {{"order", order_input("f")}}).status == 200);
  auto c = post(emu, R"(
    # a comment, commas, a block string and an alias
    query Q($yes: Boolean = true) {
      mine: orders(first: 1, query: """source_identifier:f""") {
        nodes { __typename ...OrderBits ... on Order { email } skipped: name @skip(if: true) kept: name @include(if: $yes) }
      }
      shop { myshopifyDomain currencyCode }
    }
    fragment OrderBits on Order { id, lineItems(first: 5) { nodes { title quantity originalUnitPriceSet { shopMoney { amount } } } } })");
  CAPTURE(c.response.body());
  REQUIRE_FALSE(c.body.contains("errors"));
  auto node = c.body.at("data").at("mine").at("nodes").at(0).as_object();
  CHECK(node.at("__typename") == "Order");
  CHECK(node.at("email") == "gql@example.com");
  CHECK_FALSE(node.contains("skipped"));
  CHECK(node.at("kept") == "#1001");
  CHECK(node.at("lineItems").at("nodes").at(0).at("quantity") == 3);
  CHECK(node.at("lineItems")
            .at("nodes")
            .at(0)
            .at("originalUnitPriceSet")
            .at("shopMoney")
            .at("amount") == "4.0");
  CHECK(c.body.at("data").at("shop").at("myshopifyDomain") == "acme.myshopify.com");
  // Keys come back in the order the query asked for them.
  std::vector<std::string> keys;
  for (auto& [k, v] : node) keys.emplace_back(k);
  CHECK(keys == std::vector<std::string>{"__typename", "id", "lineItems", "email", "kept"});

  auto req =
      request(http::verb::post, "/admin/api/2026-01/graphql.json", acme_token, "{ shop { name } }");
  req.set(http::field::content_type, "application/graphql");
  auto raw = emu.handle(req);
  CHECK(json::parse(raw.response.body()).at("data").at("shop").at("name") == "acme");
}

TEST_CASE("GraphQL orderUpdate changes tags and attributes and fires orders/updated") {
  auto clock = start_clock();
  t::shopify_emulator_state emu(two_shops(clock));
  REQUIRE(emu.subscribe("acme", "orders/updated", "http://127.0.0.1:9/u"));
  REQUIRE(post(emu, create_mutation, {{"order", order_input("u")}}).status == 200);
  constexpr std::string_view update = R"(mutation($input: OrderInput!) {
      orderUpdate(input: $input) { order { tags customAttributes { key value } } userErrors { field message } } })";
  auto c =
      post(emu, update,
           {{"input", json::object{{"id", "gid://shopify/Order/820982911946154509"},
                                   {"tags", json::array{"synced"}},
                                   {"customAttributes",
                                    json::array{json::object{{"key", "k"}, {"value", "v"}}}}}}});
  CAPTURE(c.response.body());
  auto payload = c.body.at("data").at("orderUpdate");
  CHECK(payload.at("userErrors").as_array().empty());
  CHECK(payload.at("order").at("tags") == json::array{"synced"});
  CHECK(payload.at("order").at("customAttributes").at(0).at("key") == "k");
  auto due = emu.deliveries().take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].topic == "orders/updated");
  auto missing = post(emu, update, {{"input", json::object{{"id", "gid://shopify/Order/1"}}}});
  CHECK(missing.body.at("data").at("orderUpdate").at("userErrors").at(0).at("message") ==
        "Order does not exist");
}

TEST_CASE("orderCreate exists from 2024-10, an older served version does not know it") {
  auto options = two_shops();
  options.versions = t::shopify_api_versions::of({"2024-07", "2024-10"});
  t::shopify_emulator_state emu(std::move(options));
  auto old = post(emu, create_mutation, {{"order", order_input("v")}}, "2024-07");
  CHECK(first_error(old) == "Field 'orderCreate' doesn't exist on type 'Mutation'");
  auto fell_forward = post(emu, create_mutation, {{"order", order_input("v")}}, "2019-04");
  CHECK(fell_forward.response["X-Shopify-API-Version"] == "2024-07");
  auto current = post(emu, create_mutation, {{"order", order_input("v")}}, "2024-10");
  CHECK_FALSE(current.body.contains("errors"));
}

TEST_CASE("a GraphQL create whose answer is lost still creates the order") {
  t::shopify_emulator_state emu(two_shops());
  REQUIRE(emu.set_request_faults("acme", {.lose_next_create_answers = 1}));
  auto a = emu.handle(request(http::verb::post, "/admin/api/2026-01/graphql.json", acme_token,
                              graphql(create_mutation, {{"order", order_input("lost")}})));
  CHECK(a.drop_connection);
  auto found =
      post(emu, R"({ orders(first: 5, query: "source_identifier:lost") { nodes { name } } })");
  CHECK(found.body.at("data").at("orders").at("nodes").as_array().size() == 1);
}

TEST_CASE("the GraphQL parser reads the spec's lexical forms and refuses deep nesting") {
  namespace d = t::detail;
  auto ok = d::parse_graphql("query { a(s: \"\\u00e9\\n\", f: -1.5e3, l: [1, 2], o: {k: null}) }");
  REQUIRE(std::holds_alternative<d::gql_document>(ok));
  const auto& args = std::get<d::gql_document>(ok).operations[0].selections[0].args;
  CHECK(args[0].value.text == "\xC3\xA9\n");
  CHECK(args[1].value.k == d::gql_value::kind::floating);
  CHECK(args[2].value.items.size() == 2);
  CHECK(args[3].value.fields[0].second.k == d::gql_value::kind::null);
  std::string deep(200, '{');
  auto bad = d::parse_graphql("query " + deep);
  REQUIRE(std::holds_alternative<d::gql_parse_error>(bad));
  CHECK(std::holds_alternative<d::gql_parse_error>(d::parse_graphql("")));
  CHECK(std::holds_alternative<d::gql_parse_error>(d::parse_graphql("{ a(x: 01.) }")));
  CHECK(std::holds_alternative<d::gql_parse_error>(d::parse_graphql("{ a(x: \"open) }")));
}

}  // namespace unity_testing_shopify_emulator_graphql_test
