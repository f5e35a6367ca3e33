// What the Shopify connector tests share: an emulator with two shops on 127.0.0.1:0, an HTTP
// client, a connector, each shop's credentials pointed at the emulator, and a way to run a
// coroutine to its end from a test.
#pragma once

#include <syncline/connectors/shopify.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/testing/shopify_emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace shop_test {

namespace shopify = syncline::shopify;
namespace t = syncline::testing;
using namespace std::chrono_literals;

inline constexpr std::string_view acme_token = "shpat_acme_0001";
inline constexpr std::string_view acme_secret = "acme-client-secret";
inline constexpr std::string_view bravo_token = "shpat_bravo_0001";
inline constexpr std::string_view bravo_secret = "bravo-client-secret";

inline t::emulated_shop shop(std::string domain, std::string_view token, std::string_view secret,
                             shopify::plan_limits plan = shopify::plan_limits::standard()) {
  t::emulated_shop s;
  s.domain = std::move(domain);
  s.access_tokens = {syncline::secret{std::string(token)}};
  s.client_secret = syncline::secret{std::string(secret)};
  s.plan = std::move(plan);
  return s;
}

struct fixture {
  explicit fixture(shopify::plan_limits acme_plan = shopify::plan_limits::standard(),
                   shopify::connector_options options = {}, unsigned graphql_throttle_status = 200)
      : threads(2),
        emu(threads.executor(), emulator_options(std::move(acme_plan), graphql_throttle_status)),
        client(threads.executor(), client_options(log)),
        connector(options) {
    REQUIRE(emu.start());
    acme = credentials("acme", acme_token, acme_secret);
    bravo = credentials("bravo", bravo_token, bravo_secret);
  }
  ~fixture() { emu.stop(); }

  // The client's log lines (retries, dropped connections), kept to check that no secret is in them.
  struct log_lines {
    std::mutex m;
    std::vector<std::string> lines;
    bool mention(std::string_view text) {
      std::lock_guard lock(m);
      for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
      return false;
    }
  };
  static syncline::http::client_options client_options(log_lines& log) {
    syncline::http::client_options o;
    o.log = [&log](std::string_view line) {
      std::lock_guard lock(log.m);
      log.lines.emplace_back(line);
    };
    return o;
  }

  static t::shopify_emulator_options emulator_options(shopify::plan_limits acme_plan,
                                                      unsigned graphql_throttle_status) {
    t::shopify_emulator_options o;
    o.seed = 7;
    o.graphql_throttle_status = graphql_throttle_status;
    o.shops = {shop("acme", acme_token, acme_secret, std::move(acme_plan)),
               shop("bravo", bravo_token, bravo_secret)};
    return o;
  }

  shopify::credentials credentials(std::string domain, std::string_view token,
                                   std::string_view secret) const {
    shopify::credentials c;
    c.shop_domain = std::move(domain);
    c.access_token = syncline::secret{std::string(token)};
    c.client_secret = syncline::secret{std::string(secret)};
    c.base_url = emu.url();
    return c;
  }

  // A run of `tenant` with the services an engine would give it.
  syncline::run_context context(shopify::credentials& creds, std::string run_id = "r-1",
                                int attempt = 1) {
    syncline::run_context ctx({.tenant = creds.tenant_key(),
                               .run_id = std::move(run_id),
                               .integration = "shopify_sync",
                               .attempt = attempt});
    ctx.provide(client);
    ctx.provide(creds);
    ctx.provide(connector);
    return ctx;
  }

  // Runs the coroutine `f()` on the io threads and waits for its value.
  template <class F>
  auto run(F f) {
    using T = typename decltype(f())::value_type;
    if constexpr (std::is_void_v<T>) {
      boost::asio::co_spawn(threads.executor(), f(), boost::asio::use_future).get();
    } else {
      std::optional<T> out;
      boost::asio::co_spawn(
          threads.executor(), [&]() -> boost::asio::awaitable<void> { out.emplace(co_await f()); },
          boost::asio::use_future)
          .get();
      return std::move(*out);
    }
  }

  // Runs the coroutines `jobs[i]()` at once and waits for all of them; their values in order.
  template <class F>
  auto run_together(std::vector<F> jobs) {
    using T = typename decltype(jobs[0]())::value_type;
    std::vector<std::optional<T>> slots(jobs.size());
    std::vector<std::future<void>> done;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      done.push_back(boost::asio::co_spawn(
          threads.executor(),
          [&slots, &jobs, i]() -> boost::asio::awaitable<void> {
            slots[i].emplace(co_await jobs[i]());
          },
          boost::asio::use_future));
    }
    for (auto& d : done) d.get();
    std::vector<T> out;
    for (auto& s : slots) out.push_back(std::move(*s));
    return out;
  }

  // Orders of a shop whose source_identifier is `sid`, straight from the emulator's state.
  std::size_t orders_with_source(std::string_view shop_name, std::string_view sid) {
    std::size_t n = 0;
    for (const auto& o : emu.orders(shop_name)) {
      const auto* s = o.if_contains("source_identifier");
      if (s && s->is_string() && s->get_string() == sid) ++n;
    }
    return n;
  }

  log_lines log;  // before client, which writes to it
  syncline::http::io_threads threads;
  t::shopify_emulator emu;
  syncline::http::client client;
  shopify::connector connector;
  shopify::credentials acme;
  shopify::credentials bravo;
};

// A one-line custom order; `sid` is our own id for it.
inline shopify::order_input mug_order(std::string sid, int quantity = 2) {
  shopify::order_input in;
  in.email = "buyer@example.com";
  in.currency = "USD";
  in.line_items = {shopify::line_item_input{
      .title = "Mug", .price = syncline::money::parse("10.50").value(), .quantity = quantity}};
  in.source_identifier = std::move(sid);
  in.tags = "syncline";
  return in;
}

}  // namespace shop_test
