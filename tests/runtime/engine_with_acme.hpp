// An engine on loopback with tenant "acme" installed in shop_sync, its HTTP ingress listening
// and your platform's events signed: what the tests of the engine's ingress (its answers, the
// ids and keys it refuses) deliver to.
#pragma once

#include <syncline/http/data_stream_signature.hpp>
#include <syncline/runtime/engine.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace runtime_test {

using namespace std::chrono_literals;

struct engine_with_acme {
  temp_dir dir;
  log_capture logs;
  sink out;
  fake_shop shop;
  syncline::engine_options options;
  fake::credentials creds = fake::credentials_for("acme");
  std::optional<syncline::engine> eng;

  explicit engine_with_acme(std::size_t max_unfinished_runs = 10'000) {
    options.threads = 2;
    options.database = dir.file("engine.db");
    options.listen = {"127.0.0.1", 0};
    options.idle_poll = 50ms;
    options.log = logs.sink();
    options.event_signing_secret = syncline::secret("platform-signing-secret-1");
    options.store.max_unfinished_runs = max_unfinished_runs;
    eng.emplace(options);
    REQUIRE(
        eng->install(shop_sync, syncline::tenant{"acme", creds}, syncline::services(out, shop)));
    REQUIRE(eng->start());
  }
  ~engine_with_acme() {
    out.hold(false);
    eng->stop();
  }

  std::size_t stored_runs() {
    auto runs = eng->runs({});
    REQUIRE(runs);
    return runs->size();
  }

  answer webhook(const std::string& id, const std::string& body) {
    return deliver(eng->port(), "orders/create", creds.shop, id, body,
                   creds.client_secret.reveal());
  }
  // A signed POST /events/{target}.
  answer event(const std::string& target, const std::string& body,
               const std::string& key = "evt-1") {
    const std::string ts = syncline::data_stream::timestamp_value(std::chrono::system_clock::now());
    return request(eng->port(), boost::beast::http::verb::post, "/events/" + target, body,
                   {{"X-Syncline-Tenant", "acme"},
                    {"X-Syncline-Timestamp", ts},
                    {"X-Syncline-Signature",
                     syncline::data_stream::sign(options.event_signing_secret, ts, body)},
                    {"X-Syncline-Idempotency-Key", key}});
  }
};

}  // namespace runtime_test
