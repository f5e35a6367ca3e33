// shopify::create_order against the emulator: GraphQL and REST, validation errors, lost answers
// and 5xx without duplicates, 429/THROTTLED recovery, missing services, no secrets in errors.
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <vector>

#include "shopify/shopify_fixture.hpp"

namespace unity_shopify_create_order_test {

namespace {

using namespace shop_test;
using boost::asio::awaitable;
using syncline::errc;
using syncline::result;

awaitable<result<shopify::order>> create(shopify::order_input in, syncline::run_context& ctx) {
  co_return co_await shopify::create_order{}(std::move(in), ctx);
}

}  // namespace

TEST_CASE("create_order creates over GraphQL and returns the order in REST shape") {
  fixture f;
  auto ctx = f.context(f.acme);
  auto o = f.run([&] { return create(mug_order("platform-1001", 3), ctx); });
  REQUIRE(o);
  CHECK(o->id > (std::int64_t{1} << 53));
  CHECK(o->admin_graphql_api_id == shopify::gid("Order", o->id));
  CHECK(o->name == "#1001");
  CHECK(o->order_number == 1001);
  CHECK(o->source_identifier == "platform-1001");
  CHECK(o->tags == "syncline");
  CHECK(o->currency == "USD");
  REQUIRE(o->line_items.size() == 1);
  CHECK(o->line_items[0].title == "Mug");
  CHECK(o->line_items[0].quantity == 3);
  CHECK(o->line_items[0].price == syncline::money::parse("10.50").value());
  CHECK(o->total_price == syncline::money::parse("31.50").value());
  // The same order, as the emulator stores it (REST shape): the ids agree exactly.
  auto stored = f.emu.order("acme", static_cast<std::uint64_t>(o->id));
  REQUIRE(stored);
  CHECK(f.orders_with_source("acme", "platform-1001") == 1);
}

TEST_CASE("create_order over REST when the credentials say so") {
  fixture f;
  f.acme.api = shopify::api_kind::rest;
  auto ctx = f.context(f.acme);
  auto o = f.run([&] { return create(mug_order("platform-rest-1"), ctx); });
  REQUIRE(o);
  CHECK(o->source_identifier == "platform-rest-1");
  CHECK(o->total_price == syncline::money::parse("21.00").value());
  CHECK(o->created_at.utc_offset() == std::chrono::minutes{-300});  // REST keeps the shop's offset
  CHECK(f.orders_with_source("acme", "platform-rest-1") == 1);
}

TEST_CASE("create_order without our own id uses the run's idempotency key") {
  fixture f;
  auto ctx = f.context(f.acme, "run-77");
  auto in = mug_order("");
  in.source_identifier.reset();
  auto o = f.run([&] { return create(in, ctx); });
  REQUIRE(o);
  CHECK(o->source_identifier == ctx.idempotency_key());
  // The run's second attempt finds the order instead of creating another.
  auto again_ctx = f.context(f.acme, "run-77", 2);
  auto again = f.run([&] { return create(in, again_ctx); });
  REQUIRE(again);
  CHECK(again->id == o->id);
  CHECK(f.orders_with_source("acme", ctx.idempotency_key()) == 1);
}

TEST_CASE("create_order reports refused input with the fields (GraphQL userErrors, REST 422)") {
  fixture f;
  for (auto api : {shopify::api_kind::graphql, shopify::api_kind::rest}) {
    CAPTURE(api == shopify::api_kind::rest ? "rest" : "graphql");
    f.acme.api = api;
    auto ctx = f.context(f.acme);
    auto in = mug_order("bad-1");
    in.line_items = {shopify::line_item_input{.variant_id = 42, .quantity = 1}};  // unknown variant
    auto o = f.run([&] { return create(in, ctx); });
    REQUIRE_FALSE(o);
    CHECK(o.error().category == errc::invalid_input);
    CHECK_THAT(o.error().message, Catch::Contains("line") || Catch::Contains("Line"));
    CHECK(f.orders_with_source("acme", "bad-1") == 0);
  }
}

TEST_CASE("a create whose answer is lost is found by source_identifier, not duplicated") {
  shopify::connector_options opts;
  opts.request_timeout = 300ms;  // the emulator holds a lost answer for a minute
  opts.initial_backoff = 10ms;
  fixture f(shopify::plan_limits::standard(), opts);
  for (auto api : {shopify::api_kind::graphql, shopify::api_kind::rest}) {
    const std::string sid = api == shopify::api_kind::rest ? "lost-rest" : "lost-graphql";
    CAPTURE(sid);
    f.acme.api = api;
    REQUIRE(f.emu.set_request_faults("acme", {.lose_next_create_answers = 1}));
    auto ctx = f.context(f.acme);
    auto o = f.run([&] { return create(mug_order(sid), ctx); });
    REQUIRE(o);
    CHECK(o->source_identifier == sid);
    CHECK(f.orders_with_source("acme", sid) == 1);
    CHECK(f.emu.request_faults_of("acme")->lose_next_create_answers == 0);
  }
  CHECK_FALSE(f.log.mention(acme_token));
}

TEST_CASE("a create answered 5xx is looked up, then sent again once: one order") {
  shopify::connector_options opts;
  opts.initial_backoff = 10ms;
  fixture f(shopify::plan_limits::standard(), opts);
  for (auto api : {shopify::api_kind::graphql, shopify::api_kind::rest}) {
    const std::string sid = api == shopify::api_kind::rest ? "5xx-rest" : "5xx-graphql";
    CAPTURE(sid);
    f.acme.api = api;
    REQUIRE(f.emu.set_request_faults("acme", {.fail_next = 2, .fail_status = 503}));
    auto ctx = f.context(f.acme);
    auto o = f.run([&] { return create(mug_order(sid), ctx); });
    REQUIRE(o);
    CHECK(f.orders_with_source("acme", sid) == 1);
  }
}

TEST_CASE("a create that keeps failing gives up with a message saying the order may exist") {
  shopify::connector_options opts;
  opts.initial_backoff = 1ms;
  opts.max_backoff = 5ms;
  opts.max_attempts = 3;
  fixture f(shopify::plan_limits::standard(), opts);
  REQUIRE(f.emu.set_request_faults("acme", {.fail_next = 100, .fail_status = 500}));
  auto ctx = f.context(f.acme);
  auto o = f.run([&] { return create(mug_order("never"), ctx); });
  REQUIRE_FALSE(o);
  CHECK(syncline::is_transient(o.error().category));
  CHECK_THAT(o.error().message, Catch::Contains("never"));
  CHECK(f.orders_with_source("acme", "never") == 0);
}

TEST_CASE("REST 429s are waited out and retried: every order once, none lost") {
  // The shop's bucket is far smaller than the plan the credentials assume, so the first burst
  // overflows it before any answer tells the pacer the real size.
  shopify::plan_limits tiny;
  tiny.rest_bucket = 3;
  // Slow enough that the burst overflows the bucket even when a loaded machine spreads the
  // twelve calls over four seconds (at 4/s a machine running the sanitizer build beside other
  // suites once sent them too slowly to be throttled); the test then takes about 4.5 s.
  tiny.rest_leak_per_second = 2;
  fixture f(tiny);
  f.acme.api = shopify::api_kind::rest;
  constexpr int n = 12;
  std::vector<syncline::run_context> ctxs;
  for (int i = 0; i < n; ++i) ctxs.push_back(f.context(f.acme, "r-" + std::to_string(i)));
  std::vector<std::function<awaitable<result<shopify::order>>()>> jobs;
  for (int i = 0; i < n; ++i)
    jobs.push_back([&ctxs, i] { return create(mug_order("burst-" + std::to_string(i)), ctxs[i]); });
  auto got = f.run_together(std::move(jobs));
  for (int i = 0; i < n; ++i) {
    REQUIRE(got[static_cast<std::size_t>(i)]);
    CHECK(f.orders_with_source("acme", "burst-" + std::to_string(i)) == 1);
  }
  CHECK(f.connector.pacer_for(f.acme).throttled() > 0);
  CHECK(f.connector.pacer_for(f.acme).rest().capacity() <= 3);  // learnt from the call-limit header
}

TEST_CASE("GraphQL THROTTLED answers (in a 200 or a 429) are waited out and retried") {
  for (unsigned status : {200u, 429u}) {
    CAPTURE(status);
    shopify::plan_limits tiny;
    // 12 creates cost 120 points against a bucket of 30 that refills 30 a second: Shopify must
    // throttle unless the calls spread over 3 s, which a loaded machine must not make them do
    // (with a bucket of 100 refilling 60/s, a slow machine sent too slowly to be throttled).
    tiny.graphql_bucket = 30;
    tiny.graphql_restore_per_second = 30;
    fixture f(tiny, {}, status);
    constexpr int n = 12;
    std::vector<syncline::run_context> ctxs;
    for (int i = 0; i < n; ++i) ctxs.push_back(f.context(f.acme, "g-" + std::to_string(i)));
    std::vector<std::function<awaitable<result<shopify::order>>()>> jobs;
    for (int i = 0; i < n; ++i)
      jobs.push_back([&ctxs, i] { return create(mug_order("gq-" + std::to_string(i)), ctxs[i]); });
    auto got = f.run_together(std::move(jobs));
    for (int i = 0; i < n; ++i) {
      REQUIRE(got[static_cast<std::size_t>(i)]);
      CHECK(f.orders_with_source("acme", "gq-" + std::to_string(i)) == 1);
    }
    CHECK(f.connector.pacer_for(f.acme).throttled() > 0);
  }
}

TEST_CASE("each shop has its own pacer") {
  fixture f;
  CHECK(&f.connector.pacer_for(f.acme) != &f.connector.pacer_for(f.bravo));
  auto same = f.acme;
  same.shop_domain = "ACME";
  CHECK(&f.connector.pacer_for(f.acme) == &f.connector.pacer_for(same));
}

TEST_CASE("a refused token is unauthorized, and no token or secret is in the message") {
  fixture f;
  for (auto api : {shopify::api_kind::graphql, shopify::api_kind::rest}) {
    auto wrong = f.acme;
    wrong.api = api;
    wrong.access_token = syncline::secret{"shpat_wrong_token_123"};
    auto ctx = f.context(wrong);
    auto o = f.run([&] { return create(mug_order("x"), ctx); });
    REQUIRE_FALSE(o);
    CHECK(o.error().category == errc::unauthorized);
    CHECK_THAT(o.error().message, !Catch::Contains("shpat_"));
    CHECK_THAT(o.error().message, !Catch::Contains(std::string(acme_secret)));
  }
  CHECK_FALSE(f.log.mention("shpat_"));
}

TEST_CASE("an action without its services says which are missing") {
  fixture f;
  syncline::run_context ctx(
      {.tenant = "acme.myshopify.com", .run_id = "r", .integration = "shopify_sync", .attempt = 1});
  auto o = f.run([&] { return create(mug_order("x"), ctx); });
  REQUIRE_FALSE(o);
  CHECK(o.error().category == errc::internal);
  CHECK_THAT(o.error().message, Catch::Contains("syncline::http::client") &&
                                    Catch::Contains("syncline::shopify::credentials") &&
                                    Catch::Contains("syncline::shopify::connector"));
}

}  // namespace unity_shopify_create_order_test
