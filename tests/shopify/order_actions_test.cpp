// shopify::get_order, update_order and list_orders against the emulator, over GraphQL and REST:
// reads match what was stored, long orders come with all their line items, updates mark orders
// for bi-directional sync, and listings cover 1,000 orders page by page and resume from a cursor.
#include <boost/asio/awaitable.hpp>

#include <set>
#include <string>
#include <vector>

#include "shopify/shopify_fixture.hpp"

namespace unity_shopify_order_actions_test {

namespace {

using namespace shop_test;
using boost::asio::awaitable;
using syncline::errc;
using syncline::result;

constexpr shopify::api_kind both_apis[] = {shopify::api_kind::graphql, shopify::api_kind::rest};

const char* api_name(shopify::api_kind a) {
  return a == shopify::api_kind::rest ? "rest" : "graphql";
}

// Creates an order as the merchant would (no HTTP), returning its id.
std::int64_t merchant_order(fixture& f, std::string_view shop, std::string sid, int line_items = 1,
                            std::string tags = {}) {
  boost::json::array items;
  for (int i = 0; i < line_items; ++i)
    items.push_back(boost::json::object{
        {"title", "Item " + std::to_string(i)}, {"price", "2.50"}, {"quantity", 1}});
  boost::json::object o{{"email", "m@example.com"},
                        {"source_identifier", std::move(sid)},
                        {"tags", std::move(tags)},
                        {"line_items", std::move(items)}};
  auto created = f.emu.create_order(shop, std::move(o));
  REQUIRE(created);
  return created->at("id").to_number<std::int64_t>();
}

awaitable<result<shopify::order>> get(std::int64_t id, syncline::run_context& ctx) {
  co_return co_await shopify::get_order{}(id, ctx);
}
awaitable<result<shopify::order>> update(shopify::order_update u, syncline::run_context& ctx) {
  co_return co_await shopify::update_order{}(std::move(u), ctx);
}

// Every order of the listing, page by page, from `cursor`; the cursor at the end.
struct listing {
  std::vector<std::int64_t> ids;
  std::size_t pages = 0;
  std::string cursor;
};
awaitable<result<listing>> list_all(syncline::run_context& ctx, std::string cursor,
                                    std::size_t max_pages = 1000) {
  shopify::order_pages pages(ctx, std::move(cursor));
  listing out;
  while (out.pages < max_pages) {
    auto page = co_await pages.next();
    if (!page) co_return std::move(page).error();
    if (!*page) break;
    ++out.pages;
    for (const auto& o : (*page)->items) out.ids.push_back(o.id);
  }
  out.cursor = pages.cursor();
  co_return out;
}

// A plan generous enough that 1,000 orders list in seconds (GraphQL charges per listed order).
shopify::plan_limits roomy() {
  shopify::plan_limits p = shopify::plan_limits::plus();
  p.graphql_bucket = 20000;
  p.graphql_restore_per_second = 20000;
  p.rest_leak_per_second = 200;
  return p;
}

}  // namespace

TEST_CASE("get_order reads an order over both APIs, an unknown id is not_found") {
  fixture f;
  const auto id = merchant_order(f, "acme", "get-1", 2, "vip, wholesale");
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    f.acme.api = api;
    auto ctx = f.context(f.acme);
    auto o = f.run([&] { return get(id, ctx); });
    REQUIRE(o);
    CHECK(o->id == id);
    CHECK(o->source_identifier == "get-1");
    CHECK(o->tags == "vip, wholesale");
    CHECK(o->line_items.size() == 2);
    CHECK(o->total_price == syncline::money::parse("5.00").value());
    CHECK(o->financial_status == shopify::financial_status::paid);

    auto missing = f.run([&] { return get(id + 1000, ctx); });
    REQUIRE_FALSE(missing);
    CHECK(missing.error().category == errc::not_found);
  }
}

TEST_CASE("an order with more line items than one page is read whole") {
  fixture f(roomy());
  const auto id = merchant_order(f, "acme", "long-1", 123);
  auto ctx = f.context(f.acme);
  auto o = f.run([&] { return get(id, ctx); });
  REQUIRE(o);
  REQUIRE(o->line_items.size() == 123);
  std::set<std::int64_t> ids;
  for (const auto& li : o->line_items) ids.insert(li.id);
  CHECK(ids.size() == 123);
  CHECK(o->line_items.back().title == "Item 122");
}

TEST_CASE("update_order marks an order with a tag and a note attribute, keeping the others") {
  fixture f;
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    f.acme.api = api;
    const auto id = merchant_order(f, "acme", std::string("upd-") + api_name(api), 1, "vip");
    auto ctx = f.context(f.acme);
    auto o = f.run([&] { return get(id, ctx); });
    REQUIRE(o);
    auto tagged = f.run([&] { return update(shopify::order_update::add_tag(*o, "synced"), ctx); });
    REQUIRE(tagged);
    CHECK(tagged->tags == "vip, synced");
    auto marked = f.run([&] {
      return update(shopify::order_update::set_attribute(*tagged, "syncline_origin", "platform"),
                    ctx);
    });
    REQUIRE(marked);
    CHECK(marked->tags == "vip, synced");
    REQUIRE(marked->note_attributes.size() == 1);
    CHECK(marked->note_attributes[0] == shopify::note_attribute{"syncline_origin", "platform"});
    // What Shopify (the emulator) now holds.
    auto stored = f.emu.order("acme", static_cast<std::uint64_t>(id));
    REQUIRE(stored);
    CHECK(stored->at("tags").as_string() == "vip, synced");
    // Adding a tag it has already changes nothing.
    CHECK(shopify::order_update::add_tag(*marked, "vip").tags == "vip, synced");
  }
}

TEST_CASE("a 404 from a wrong base URL names the URL that was asked, and no token") {
  fixture f;
  auto wrong = f.acme;
  // The mistake docs/testing.md warns of: a base URL that already holds /admin/api/<version>.
  wrong.base_url = f.emu.admin_url();
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    wrong.api = api;
    auto ctx = f.context(wrong);
    // A create, not a get: over REST a 404 of /orders/<id>.json is also how an unknown order
    // answers, and get_order reports that as such.
    auto r = f.run([&] { return shopify::create_order{}(mug_order("wrong-base"), ctx); });
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::not_found);
    CHECK(r.error().message.find(" for " + f.emu.admin_url() + "/admin/api/") != std::string::npos);
    CHECK(r.error().message.find(std::string(wrong.access_token.reveal())) == std::string::npos);
  }
}

TEST_CASE("update_order of an unknown order fails as not_found") {
  fixture f;
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    f.acme.api = api;
    auto ctx = f.context(f.acme);
    auto r = f.run(
        [&] { return update(shopify::order_update{.id = 820982911946154000, .note = "x"}, ctx); });
    REQUIRE_FALSE(r);
    CAPTURE(r.error().message);
    CHECK(r.error().category == errc::not_found);
  }
}

TEST_CASE("list_orders pages through 1,000 orders over both APIs, each once, oldest first") {
  fixture f(roomy());
  std::vector<std::int64_t> created;
  for (int i = 0; i < 1000; ++i)
    created.push_back(merchant_order(f, "acme", "p-" + std::to_string(i)));
  merchant_order(f, "bravo", "other-shop");  // another tenant's order never shows up
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    f.acme.api = api;
    auto ctx = f.context(f.acme);
    auto all = f.run([&] { return list_all(ctx, ""); });
    if (!all) FAIL(all.error().message);
    CHECK(all->ids == created);
    CHECK(all->pages > 3);
  }
}

TEST_CASE("a listing resumes from its cursor, and from the end sees only new orders") {
  fixture f(roomy());
  std::vector<std::int64_t> created;
  for (int i = 0; i < 60; ++i)
    created.push_back(merchant_order(f, "acme", "r-" + std::to_string(i)));
  for (auto api : both_apis) {
    CAPTURE(api_name(api));
    f.acme.api = api;
    auto ctx = f.context(f.acme);
    const int page_size = 10;
    // Two pages, then stop (a crash, the end of a poll); a new sequence continues from there.
    auto first = f.run([&]() -> awaitable<result<listing>> {
      shopify::order_pages pages(ctx, "", shopify::order_query{.page_size = page_size});
      listing out;
      for (int i = 0; i < 2; ++i) {
        auto page = co_await pages.next();
        if (!page) co_return std::move(page).error();
        for (const auto& o : (*page)->items) out.ids.push_back(o.id);
      }
      out.cursor = pages.cursor();
      co_return out;
    });
    REQUIRE(first);
    REQUIRE(first->ids.size() == 20);
    auto rest = f.run([&] { return list_all(ctx, first->cursor); });
    REQUIRE(rest);
    std::vector<std::int64_t> seen = first->ids;
    seen.insert(seen.end(), rest->ids.begin(), rest->ids.end());
    CHECK(seen == created);

    // From the cursor at the end, only orders created afterwards.
    const auto later = merchant_order(f, "acme", std::string("later-") + api_name(api));
    created.push_back(later);
    auto fresh = f.run([&] { return list_all(ctx, rest->cursor); });
    REQUIRE(fresh);
    CHECK(fresh->ids == std::vector<std::int64_t>{later});
  }
}

TEST_CASE("list_orders as a block reads every page of a search (GraphQL)") {
  fixture f(roomy());
  for (int i = 0; i < 40; ++i)
    merchant_order(f, "acme", "s-" + std::to_string(i), 1, i % 2 ? "vip" : "regular");
  auto ctx = f.context(f.acme);
  // Named first: g++ 12 miscompiles a braced temporary inside a co_await expression.
  const shopify::list_orders list;
  const shopify::order_query vip_query{.search = "tag:vip"};
  auto vips = f.run([&]() -> awaitable<result<std::vector<shopify::order>>> {
    co_return co_await list(vip_query, ctx);
  });
  REQUIRE(vips);
  CHECK(vips->size() == 20);
  for (const auto& o : *vips) CHECK(o.tags == "vip");

  f.acme.api = shopify::api_kind::rest;
  auto rest_ctx = f.context(f.acme);
  auto refused = f.run([&]() -> awaitable<result<std::vector<shopify::order>>> {
    co_return co_await list(vip_query, rest_ctx);
  });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().category == errc::invalid_input);
}

}  // namespace unity_shopify_order_actions_test
