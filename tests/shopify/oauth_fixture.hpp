// What the OAuth protocol tests share: an emulator on 127.0.0.1:0 whose clock stands still, with
// an app that merchants install through OAuth and a shop "carol" where nothing is installed yet,
// an HTTP client, the app's credentials as the app holds them, and token endpoints pointed at
// the emulator.
#pragma once

#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/testing/shopify_emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "run_to_end.hpp"

namespace oauth_test {

using shop_test::run_to_end;

namespace shopify = syncline::shopify;
namespace t = syncline::testing;
using namespace std::chrono_literals;

inline constexpr std::string_view app_id = "app-client-id-1";
inline constexpr std::string_view app_secret = "app-client-secret-1";
inline constexpr std::string_view app_redirect = "https://app.example/auth/callback";

inline t::emulator_clock start_clock() {
  using namespace std::chrono;
  return t::emulator_clock::manual(sys_days{year{2026} / 1 / 15} + hours{15} + minutes{30});
}

struct fixture {
  fixture()
      : clock(start_clock()),
        threads(2),
        emu(threads.executor(), emulator_options(clock)),
        client(threads.executor()) {
    REQUIRE(emu.start());
    tokens_.emplace(client, app(), endpoint_options());
  }
  ~fixture() { emu.stop(); }

  static shopify::app_credentials app() {
    return {.client_id = std::string(app_id),
            .client_secret = syncline::secret{std::string(app_secret)},
            .previous_client_secret = {}};
  }

  static t::shopify_emulator_options emulator_options(t::emulator_clock clock) {
    t::shopify_emulator_options o;
    o.clock = clock;
    o.seed = 11;
    t::emulated_shop acme;
    acme.domain = "acme";
    acme.access_tokens = {syncline::secret{"shpat_acme_0001"}};
    acme.client_secret = syncline::secret{"acme-client-secret"};
    t::emulated_shop carol;
    carol.domain = "carol";
    o.shops = {acme, carol};
    t::emulated_app a;
    a.client_id = std::string(app_id);
    a.client_secret = syncline::secret{std::string(app_secret)};
    a.scopes = {"read_orders", "write_orders"};
    a.redirect_urls = {std::string(app_redirect)};
    o.apps = {a};
    return o;
  }

  // The emulator answers each shop's /admin/oauth/... below /shops/{shop}.
  std::string shop_base() const { return emu.url() + "/shops/{shop}"; }

  // After start(): the emulator's URL names its port.
  shopify::token_endpoint_options endpoint_options() const {
    shopify::token_endpoint_options o;
    o.base_url = shop_base();
    o.now = [c = clock] { return c.now(); };
    return o;
  }

  // Held by the fixture: a coroutine of the endpoint refers to it until it ends, so it must
  // not be a temporary of the expression that starts the call.
  shopify::token_endpoint& tokens() { return *tokens_; }
  // Runs the coroutine `f()` on the io threads and waits for its value.
  template <class F>
  auto run(F f) {
    return run_to_end(threads.executor(), std::move(f));
  }

  t::emulator_clock clock;
  syncline::http::io_threads threads;
  t::shopify_emulator emu;
  syncline::http::client client;
  std::optional<shopify::token_endpoint> tokens_;
};

}  // namespace oauth_test
