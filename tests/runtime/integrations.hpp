// The integrations the engine tests install: a two-way order sync with fakeshop (the seed's
// loop: push_orders writes orders, pull_orders reads them back through a webhook behind an echo
// guard), workflows for retries, secrets and manual runs, a poll and a schedule.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/poll.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/runtime/tenant.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runtime_fixture.hpp"

namespace runtime_test {

// Your platform's event.
struct order_placed {
  std::int64_t id = 0;
  std::string tenant;  // who the platform meant it for: checked against the run's tenant
  std::string email;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(order_placed, (), (id, tenant, email, note))

// An order as fakeshop knows it (what push_orders writes and orders/create carries).
struct shop_order {
  std::int64_t id = 0;
  std::string email;
  std::string note;
  std::string source_identifier;  // the origin marker push_orders sets: "platform-<id>"
};
BOOST_DESCRIBE_STRUCT(shop_order, (), (id, email, note, source_identifier))

}  // namespace runtime_test

template <>
struct syncline::event_payload<syncline::platform, "order.placed"> {
  using type = runtime_test::order_placed;
};

namespace runtime_test {

// fakeshop's side: the orders it holds. push_orders' destination creates them; the test then
// plays fakeshop and delivers the orders/create webhook.
class fake_shop {
 public:
  std::int64_t create(shop_order o) {
    std::lock_guard lock(mu_);
    o.id = next_id_++;
    orders_.push_back(o);
    return o.id;
  }
  std::vector<shop_order> orders() const {
    std::lock_guard lock(mu_);
    return orders_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<shop_order> orders_;
  std::int64_t next_id_ = 820982911946154508;
};

inline std::string describe(const order_placed& o) {
  return "order " + std::to_string(o.id) + " for " + o.tenant;
}

// Checks that the run got its own tenant's credentials and the event meant for it, then writes.
inline syncline::result<void> write_checked(const order_placed& o, syncline::run_context& ctx) {
  auto* creds = ctx.service<fake::credentials>();
  if (!creds) return syncline::make_error(syncline::errc::internal, "no credentials");
  if (o.tenant != ctx.tenant() || creds->shop != o.tenant + ".fakeshop.test")
    return syncline::make_error(syncline::errc::internal,
                                "cross-tenant delivery: run of " + std::string(ctx.tenant()) +
                                    " got " + o.tenant + " with credentials of " + creds->shop);
  auto* out = ctx.service<sink>();
  if (!out) return syncline::make_error(syncline::errc::internal, "no sink in the run context");
  return out->write(ctx, describe(o));
}

struct create_order : syncline::destination {
  using app_type = fake::app;
  static constexpr std::string_view name = "create_order";
  using services = syncline::needs<fake_shop>;
  syncline::result<void> operator()(const shop_order& o, syncline::run_context& ctx) const {
    auto* creds = ctx.service<fake::credentials>();
    if (!creds || creds->access_token.empty())
      return syncline::make_error(syncline::errc::unauthorized, "no access token");
    ctx.service<fake_shop>()->create(o);
    return {};
  }
};

struct save_order : syncline::destination {
  static constexpr std::string_view name = "save_order";
  using services = syncline::needs<sink>;
  syncline::result<void> operator()(const shop_order& o, syncline::run_context& ctx) const {
    return ctx.service<sink>()->write(
        ctx, "shop order " + o.source_identifier + " " + o.email + " " + o.note);
  }
};

// A destination with its own retry policy: quick backoff, three attempts.
struct flaky_destination : syncline::destination {
  static constexpr std::string_view name = "flaky_destination";
  using services = syncline::needs<sink>;
  static constexpr syncline::retry_policy retry{.max_attempts = 3,
                                                .initial_backoff = std::chrono::milliseconds(5),
                                                .max_backoff = std::chrono::milliseconds(20)};
  syncline::result<void> operator()(const order_placed& o, syncline::run_context& ctx) const {
    return write_checked(o, ctx);
  }
};

// A destination that holds while the sink says so, then writes (restart and backpressure tests).
struct held_destination : syncline::destination {
  static constexpr std::string_view name = "held_destination";
  using services = syncline::needs<sink>;
  boost::asio::awaitable<syncline::result<void>> operator()(order_placed o,
                                                            syncline::run_context& ctx) const {
    co_await ctx.service<sink>()->gate();
    co_return write_checked(o, ctx);
  }
};

// A careless connector: quotes the tenant's token and secret in its error and its log.
struct leaky_destination : syncline::destination {
  static constexpr std::string_view name = "leaky_destination";
  syncline::result<void> operator()(const order_placed&, syncline::run_context& ctx) const {
    auto* creds = ctx.service<fake::credentials>();
    return syncline::make_error(syncline::errc::invalid_input,
                                "app refused token " + std::string(creds->access_token.reveal()) +
                                    " (signed with " + std::string(creds->client_secret.reveal()) +
                                    ")");
  }
};

inline constexpr auto push_orders = syncline::workflow<"push_orders">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_shop_order">([](const order_placed& o) {
      return shop_order{0, o.email, o.note, "platform-" + std::to_string(o.id)};
    }) |
    syncline::remember_write<"orders", syncline::member<"source_identifier">,
                             syncline::member<"email">, syncline::member<"note">> |
    create_order{});

inline constexpr auto pull_orders = syncline::workflow<"pull_orders">(
    fake::webhook<"orders/create", shop_order>{} |
    syncline::skip_echo<"orders", syncline::member<"source_identifier">, syncline::member<"email">,
                        syncline::member<"note">> |
    save_order{});

inline constexpr auto flaky_orders = syncline::workflow<"flaky_orders">(
    syncline::app_event<"order.flaky", order_placed>{} | flaky_destination{});

inline constexpr auto held_orders = syncline::workflow<"held_orders">(
    syncline::app_event<"order.held", order_placed>{} | held_destination{});

inline constexpr auto leaky_orders = syncline::workflow<"leaky_orders">(
    syncline::app_event<"order.leaky", order_placed>{} | leaky_destination{});

inline constexpr auto backfill = syncline::workflow<"backfill">(
    syncline::manual<order_placed, "backfill">{} |
    syncline::to<"save", syncline::needs<sink>>(
        [](const order_placed& o, syncline::run_context& ctx) { return write_checked(o, ctx); }));

inline constexpr auto shop_sync = syncline::integration<"shop_sync", fake::app>(
    push_orders, pull_orders, flaky_orders, held_orders, leaky_orders, backfill);

// --- a poll ---------------------------------------------------------------------------------

struct feed_item {
  std::int64_t id = 0;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(feed_item, (), (id, name))

// fakeshop's list endpoint: pages by cursor; page p1 fails the first time, and the second fetch
// of p1 can be held so a test can look at the cursor while the retry is in progress.
class feed {
 public:
  boost::asio::awaitable<syncline::result<syncline::poll_page<feed_item>>> page(
      std::string cursor) {
    int p1_fetches = 0;
    {
      std::lock_guard lock(mu_);
      fetched_.push_back(cursor);
      for (const auto& c : fetched_) p1_fetches += c == "p1";
    }
    if (cursor.empty()) co_return syncline::poll_page<feed_item>{{{1, "a"}, {2, "b"}}, "p1", true};
    if (cursor == "p1") {
      if (p1_fetches == 1)
        co_return syncline::make_error(syncline::errc::unavailable, "fakeshop answered 503");
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      for (int i = 0; i < 2000 && p1_fetches == 2 && holding_; ++i) {
        t.expires_after(std::chrono::milliseconds(10));
        co_await t.async_wait(boost::asio::use_awaitable);
      }
      co_return syncline::poll_page<feed_item>{{{3, "c"}, {4, "d"}}, "p2", false};
    }
    co_return syncline::poll_page<feed_item>{{}, cursor, false};
  }
  std::vector<std::string> fetched() const {
    std::lock_guard lock(mu_);
    return fetched_;
  }
  void release() { holding_ = false; }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> fetched_;
  std::atomic<bool> holding_{true};
};

struct feed_poll : syncline::poll<fake::app, "feed", feed_item, "@every 1s"> {
  using services = syncline::needs<feed>;
  static boost::asio::awaitable<syncline::result<syncline::poll_page<feed_item>>> fetch(
      syncline::run_context& ctx, std::string_view cursor) {
    std::string from(cursor);  // named: g++ 12 mishandles temporaries inside co_await
    co_return co_await ctx.service<feed>()->page(std::move(from));
  }
  static std::string dedupe_key(const feed_item& i) { return std::to_string(i.id); }
};

inline constexpr auto read_feed = syncline::workflow<"read_feed">(
    feed_poll{} |
    syncline::to<"save", syncline::needs<sink>>([](const feed_item& i, syncline::run_context& ctx) {
      return ctx.service<sink>()->write(ctx, "item " + std::to_string(i.id));
    }));

inline constexpr auto feed_sync = syncline::integration<"feed_sync", fake::app>(read_feed);

// --- a schedule -----------------------------------------------------------------------------

inline constexpr auto heartbeat = syncline::workflow<"heartbeat">(
    syncline::schedule<"every_second", "@every 1s">{} |
    syncline::to<"record_tick", syncline::needs<sink>>(
        [](const syncline::tick& t, syncline::run_context& ctx) {
          const auto s =
              std::chrono::duration_cast<std::chrono::seconds>(t.scheduled_for.time_since_epoch());
          return ctx.service<sink>()->write(ctx, std::to_string(s.count()));
        }));

inline constexpr auto ticker = syncline::integration<"ticker", syncline::platform>(heartbeat);

}  // namespace runtime_test
