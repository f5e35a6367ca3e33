// The poll role of scale_out (`scale_out --poll-engine <conninfo> <shop url>`): one engine process
// on the PostgreSQL store that polls one Shopify shop's orders (the emulator the coordinator runs)
// and writes each to the table "polled_orders".
//
//   record_polled: new_orders (a poll of shopify::list_orders, 5 orders a page, every second)
//                  -> one row per run in "polled_orders", keyed by the run's idempotency key.
//
// Only the engine holding the "sources" role polls; every engine runs the runs. Each item says
// which process fetched its page and committed it with the cursor (polled_by), so the
// coordinator sees who led when, and whether two processes ever advanced the cursor at once.
// The poll has no dedupe_key on purpose: nothing hides a page queued twice, which would show as
// two runs (and two rows) of one order.
//
// The shop's access token comes from the environment (SCALE_OUT_ACCESS_TOKEN), never from the
// command line that `ps` shows.
#pragma once

#include <syncline/blocks/map.hpp>
#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/list_orders.hpp>
#include <syncline/connectors/shopify/plan_limits.hpp>
#include <syncline/connectors/warehouse/postgres_sink.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/poll.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/tenant.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "engine_process.hpp"

namespace scale_out {

inline constexpr const char* poll_shop_domain = "scale-out-poll.myshopify.com";
inline constexpr const char* access_token_variable = "SCALE_OUT_ACCESS_TOKEN";
// The emulated shop's plan and what the engines pace by: roomy, so that pacing never decides how
// fast the leader moves on.
inline syncline::shopify::plan_limits poll_shop_plan() {
  syncline::shopify::plan_limits p = syncline::shopify::plan_limits::plus();
  p.graphql_bucket = 20000;
  p.graphql_restore_per_second = 20000;
  return p;
}
// Small pages: many pages, so that a kill often lands between a page's fetch and its commit.
inline constexpr int orders_per_page = 5;

struct polled_order {
  std::int64_t order_id = 0;
  std::int64_t polled_by = 0;  // the process that fetched the page and committed it
};
BOOST_DESCRIBE_STRUCT(polled_order, (), (order_id, polled_by))

struct polled_order_row {
  std::int64_t order_id = 0;
  std::int64_t polled_by = 0;
  std::int64_t engine_pid = 0;  // which process ran the run
};
BOOST_DESCRIBE_STRUCT(polled_order_row, (), (order_id, polled_by, engine_pid))

// No key<>: keyed by the run's idempotency key, so a run executed again upserts its own row.
using polled_orders = warehouse::table<polled_order_row, "polled_orders">;
using polled_orders_sink = warehouse::postgres_sink<polled_orders>;

// The shop's orders, oldest first, from the stored cursor: list_orders pages with the cursor
// list_orders says a later listing resumes from (the next page's, or after the last order).
struct new_orders : syncline::poll<shopify::app, "new_orders", polled_order, "@every 1s"> {
  using services = syncline::needs<shopify::connector>;

  static boost::asio::awaitable<syncline::result<syncline::poll_page<polled_order>>> fetch(
      syncline::run_context& ctx, std::string_view cursor) {
    auto api = shopify::admin_api::from(ctx, name);
    if (!api) co_return std::move(api).error();
    // A named query, not a temporary in the co_await: g++ 12 destroys such a temporary twice.
    shopify::order_query query{.cursor = std::string(cursor), .page_size = orders_per_page};
    auto page = co_await shopify::list_orders::fetch(*api, query);
    if (!page) co_return std::move(page).error();
    syncline::poll_page<polled_order> out;
    for (const auto& o : page->items) out.items.push_back({o.id, ::getpid()});
    out.cursor = page->resume_cursor;
    out.more = page->next_cursor.has_value();
    co_return out;
  }
};

inline polled_order_row to_polled_row(const polled_order& o) {
  return {o.order_id, o.polled_by, static_cast<std::int64_t>(::getpid())};
}

constexpr auto record_polled =
    syncline::workflow<"record_polled">(new_orders{} | syncline::map<"to_row">(to_polled_row) |
                                        warehouse::write_to<polled_orders_sink>{});

constexpr auto poll_integration =
    syncline::integration<"scale_out_poll", shopify::app>(record_polled);

// The tenant every poll engine installs, and the key of the poll's cursor in the store.
inline constexpr const char* poll_tenant = "shop";
inline constexpr const char* poll_cursor_name = "record_polled/new_orders";

// The child's main: 0 after a graceful stop, 1 when it could not start (said on stderr).
inline int run_poll_engine(const std::string& conninfo, const std::string& shop_url) {
  const char* token = std::getenv(access_token_variable);
  if (!token || !*token) {
    std::cerr << "scale_out --poll-engine: " << access_token_variable << " is not set\n";
    return 1;
  }
  const sigset_t stop_signals = block_stop_signals();

  syncline::http::io_threads sink_io(1);
  auto sink = polled_orders_sink::open(sink_io.executor(), syncline::secret(conninfo));
  if (!sink) {
    std::cerr << "scale_out --poll-engine: cannot connect the sink: " << sink.error().message
              << "\n";
    return 1;
  }
  shopify::connector connector;
  syncline::engine eng(engine_options_for(conninfo));
  shopify::credentials credentials{.shop_domain = poll_shop_domain,
                                   .access_token = syncline::secret(token),
                                   .base_url = shop_url};
  credentials.plan = poll_shop_plan();
  if (auto r = eng.install(poll_integration, syncline::tenant{poll_tenant, credentials},
                           syncline::services(connector, *sink));
      !r) {
    std::cerr << "scale_out --poll-engine: install failed: " << r.error().message << "\n";
    return 1;
  }
  return serve(eng, stop_signals, "--poll-engine");
}

}  // namespace scale_out
