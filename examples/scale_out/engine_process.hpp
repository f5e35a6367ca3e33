// The engine role of scale_out (`scale_out --engine <conninfo>`): one engine process on the
// PostgreSQL store, serving one Shopify shop's orders/create webhooks.
//
//   record_orders: Shopify's orders/create webhook -> one row per run in the table
//                  "delivered_orders" (PostgreSQL), keyed by the run's idempotency key.
//
// The table's key is the run, not the order: a run the runtime executes again (its engine was
// killed after the write, before it recorded the end) upserts its own row, while a delivery that
// became two runs would leave two rows of one order. So "one row per acknowledged order" is the
// exactly-once check the coordinator makes.
//
// The process prints "port <n> pid <pid>" on stdout once it listens on 127.0.0.1, then serves
// until SIGTERM (a graceful stop) or SIGKILL (a crash): serve(), which the poll role
// (order_poll.hpp) shares. The shop's client secret comes from the
// environment (SCALE_OUT_CLIENT_SECRET), never from the command line that `ps` shows.
#pragma once

#include <syncline/blocks/map.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/connectors/warehouse/postgres_sink.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/store/postgres_store.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unistd.h>

namespace scale_out {

namespace shopify = syncline::shopify;
namespace warehouse = syncline::warehouse;

// The one shop every engine serves; the coordinator signs its webhooks.
inline constexpr const char* shop_domain = "scale-out.myshopify.com";
inline constexpr const char* client_secret_variable = "SCALE_OUT_CLIENT_SECRET";

struct delivered_order {
  std::int64_t order_id = 0;
  std::int64_t engine_pid = 0;  // which process ran the run (the load is spread)
};
BOOST_DESCRIBE_STRUCT(delivered_order, (), (order_id, engine_pid))

// No key<>: the table is keyed by the run's idempotency key (warehouse::run_key).
using delivered_orders = warehouse::table<delivered_order, "delivered_orders">;
using delivered_orders_sink = warehouse::postgres_sink<delivered_orders>;

inline delivered_order to_row(const shopify::order& o) {
  return delivered_order{o.id, static_cast<std::int64_t>(::getpid())};
}

constexpr auto record_orders = syncline::workflow<"record_orders">(
    shopify::webhook<"orders/create">{} | syncline::map<"to_row">(to_row) |
    warehouse::write_to<delivered_orders_sink>{});

constexpr auto scale_out_integration =
    syncline::integration<"scale_out", shopify::app>(record_orders);

// How often each engine asks for the "sources" and "prune" roles (the default, said here because
// the leader-death scenario derives its takeover bound from it).
inline constexpr std::chrono::milliseconds leader_check{1000};

// Retries long enough to outlast a PostgreSQL restart (a few seconds) without dead-lettering.
inline syncline::engine_options engine_options_for(const std::string& conninfo) {
  syncline::engine_options o;
  o.threads = 2;
  o.listen = {"127.0.0.1", 0};
  o.idle_poll = std::chrono::milliseconds(200);
  // A run whose end could not be recorded (PostgreSQL was restarting) runs again once its lease
  // expired: a short lease keeps that wait short. It is renewed every third of it.
  o.lease = std::chrono::seconds(5);
  o.retry = {.max_attempts = 30,
             .initial_backoff = std::chrono::milliseconds(50),
             .max_backoff = std::chrono::milliseconds(1000)};
  o.retry_after = std::chrono::seconds(1);
  o.level = syncline::log_level::warn;
  o.leader_check = leader_check;
  // docs/operations.md quotes these lines ("N engines on PostgreSQL").
  using store_ptr = std::unique_ptr<syncline::store::store>;
  o.open_store = [conninfo, clock = o.store.clock]() -> syncline::result<store_ptr> {
    syncline::store::postgres_store_options store_options;
    store_options.clock = clock;  // the engine's clock (engine_options::store.clock)
    auto store = syncline::store::postgres_store::open(conninfo, store_options);
    if (!store) return std::move(store).error();
    return store_ptr(std::move(*store));
  };
  return o;
}

// A secret for the coordinator to give its engines through the environment: fresh per run.
inline std::string random_secret(std::string_view prefix) {
  std::random_device rd;
  std::string out(prefix);
  for (int i = 0; i < 4; ++i) out += std::to_string(rd());
  return out;
}

// SIGTERM and SIGINT are waited for by serve(): block them before any thread starts, so that
// every thread inherits the mask and sigwait is the one to take them. An engine role calls this
// first, before it makes its services.
inline sigset_t block_stop_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

// What every engine role does with its installed engine: starts it, prints "port <n> pid <p>"
// (what engine_fleet waits for), serves until SIGTERM, stops. 0 after a graceful stop, 1 when it
// did not start (said on stderr).
inline int serve(syncline::engine& eng, const sigset_t& stop_signals, std::string_view role) {
  if (auto r = eng.start(); !r) {
    std::cerr << "scale_out " << role << ": start failed: " << r.error().message << "\n";
    return 1;
  }
  std::cout << "port " << eng.port() << " pid " << ::getpid() << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  eng.stop();
  return 0;
}

// The child's main: 0 after a graceful stop, 1 when it could not start (said on stderr).
inline int run_engine(const std::string& conninfo) {
  const char* secret_text = std::getenv(client_secret_variable);
  if (!secret_text || !*secret_text) {
    std::cerr << "scale_out --engine: " << client_secret_variable << " is not set\n";
    return 1;
  }
  const sigset_t stop_signals = block_stop_signals();

  syncline::http::io_threads sink_io(1);
  auto sink = delivered_orders_sink::open(sink_io.executor(), syncline::secret(conninfo));
  if (!sink) {
    std::cerr << "scale_out --engine: cannot connect the sink: " << sink.error().message << "\n";
    return 1;
  }
  syncline::engine eng(engine_options_for(conninfo));
  const shopify::credentials credentials{.shop_domain = shop_domain,
                                         .client_secret = syncline::secret(secret_text)};
  if (auto r = eng.install(scale_out_integration, syncline::tenant{"shop", credentials},
                           syncline::services(*sink));
      !r) {
    std::cerr << "scale_out --engine: install failed: " << r.error().message << "\n";
    return 1;
  }
  return serve(eng, stop_signals, "--engine");
}

}  // namespace scale_out
