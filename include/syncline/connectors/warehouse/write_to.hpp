// warehouse::write_to<Sink>: the destination block that ends a workflow in a warehouse table.
// The runtime owns the sink (one connection, one batcher for all runs) and hands it to each run
// through the run context; the block writes the record with the run's idempotency key, so a
// retried run upserts the same row instead of adding one, and with the run's tenant, so that a
// privacy erasure can find the tenant's rows (batched_sink::erase_tenant).
//
//   using orders = warehouse::table<order_row, "orders", warehouse::key<"id">>;
//   using orders_warehouse = warehouse::sqlite_sink<orders>;
//   ... | syncline::map<"to_row">(to_order_row) | warehouse::write_to<orders_warehouse>{}
//   eng.install(integration, tenant, syncline::services(sink));  // an orders_warehouse
//
// The block names the sink as a service it needs, so an install without one does not compile.
// (as in examples/shopify_sync: seed_integration.hpp declares, seed_system.hpp installs)
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <concepts>
#include <string>
#include <string_view>

namespace syncline::warehouse {

// What write_to needs of a sink: every warehouse sink (SQLite, PostgreSQL, BigQuery, Snowflake).
template <class S>
concept sink = requires(S& s, const typename S::row_type& row, std::string_view key) {
  typename S::table_type;
  // decltype, not `{ s.write(row, key) } -> ...`: awaitable is only declared here, and only the
  // operand of decltype may be a call whose class type is incomplete.
  requires std::same_as<decltype(s.write(row, key)), awaitable<result<void>>>;
};

// A sink that keeps the run's tenant with the row (every syncline sink; a sink of your own may
// leave it out): write_to passes it.
template <class S>
concept tenant_sink = sink<S> &&
    requires(S& s, const typename S::row_type& row, std::string_view key, std::string_view tenant) {
  requires std::same_as<decltype(s.write(row, key, tenant)), awaitable<result<void>>>;
};

template <sink Sink>
struct write_to : syncline::destination {
  using table_type = typename Sink::table_type;
  using row_type = typename Sink::row_type;
  using services = syncline::needs<Sink>;
  // The warehouse is on your side of the integration, like the data stream.
  using app_type = syncline::platform;
  static constexpr std::string_view kind = "warehouse";

 private:
  // The block is named after its table ("analytics.orders" -> "analytics_orders").
  static constexpr auto name_storage = [] {
    fixed_string<table_type::name.size()> s;
    for (std::size_t i = 0; i < table_type::name.size(); ++i) {
      s.value[i] = table_type::name[i] == '.' ? '_' : table_type::name[i];
    }
    return s;
  }();

 public:
  static constexpr std::string_view name = name_storage.view();

  // awaitable_for: awaitable is only declared here (core/awaitable.hpp); the coroutine is
  // instantiated where a run is started, after Asio's header.
  awaitable_for<result<void>, Sink> operator()(row_type row, run_context& ctx) const {
    // The engine's install checks at compile time that the sink is given; a run outside the
    // engine (a test, your own runtime) gets it from whoever filled its context.
    Sink* target = ctx.service<Sink>();
    if (!target) {
      co_return make_error(errc::internal,
                           "no sink for warehouse table \"" + std::string(table_type::name) +
                               "\" was provided to the run: open the sink at start-up and put "
                               "it into the run's context (run_context::provide)");
    }
    const std::string key = ctx.idempotency_key();
    if constexpr (tenant_sink<Sink>) {
      co_return co_await target->write(row, key, ctx.tenant());
    } else {
      co_return co_await target->write(row, key);
    }
  }
};

}  // namespace syncline::warehouse
