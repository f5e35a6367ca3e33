// Credentials at rest: with engine_options::keyring set, install() keeps a tenant's credentials
// in the store sealed, restore() installs them again in a later engine, a rotation reseals them,
// and nothing of them is ever readable in the database file.
#include <syncline/crypto/keyring.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/sealed_credentials.hpp>
#include <syncline_test_support/directory_bytes.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "integrations.hpp"
#include "runtime_fixture.hpp"

namespace unity_runtime_credentials_at_rest_test {

namespace {

using namespace std::chrono_literals;
using namespace runtime_test;

std::shared_ptr<const syncline::crypto::keyring> ring_of(const std::string& text) {
  auto k = syncline::crypto::keyring::parse(text, "test keys");
  REQUIRE(k);
  return std::make_shared<const syncline::crypto::keyring>(std::move(*k));
}

std::string entry(const std::string& id) {
  auto e = syncline::crypto::keyring::generate_entry(id);
  REQUIRE(e);
  return std::string(e->reveal());
}

struct stored_engine {
  temp_dir dir{"credentials-at-rest"};
  log_capture logs;
  sink out;
  fake_shop shop;
  fake::credentials acme = fake::credentials_for("acme");
  fake::credentials bravo = fake::credentials_for("bravo");

  syncline::engine_options options(std::shared_ptr<const syncline::crypto::keyring> ring) {
    syncline::engine_options o;
    o.threads = 2;
    o.database = dir.file("engine.db");
    o.listen = {"127.0.0.1", 0};
    o.idle_poll = 50ms;
    o.log = logs.sink();
    o.keyring = std::move(ring);
    return o;
  }

  // A webhook to the restored engine reaches the sink: the tenant's credentials (its signing
  // secret) came back from the store.
  void delivers(syncline::engine& eng, const fake::credentials& c, const std::string& id) {
    const auto before = out.size();
    auto a = deliver(eng.port(), "orders/create", c.shop, id,
                     syncline::json::encode(shop_order{1, "buyer@example.com", "", ""}),
                     c.client_secret.reveal());
    REQUIRE(a.status == 200);
    REQUIRE(eng.wait_until_quiet(10s));
    REQUIRE(out.size() == before + 1);
  }
};

}  // namespace

TEST_CASE("sealed credentials open only in their own row, with a key of the keyring") {
  auto ring = ring_of(entry("k1"));
  const auto creds = fake::credentials_for("acme");
  auto envelope = syncline::seal_credentials(*ring, "shop_sync", "acme", creds);
  REQUIRE(envelope);
  CHECK(envelope->find(creds.access_token.reveal()) == std::string::npos);
  CHECK(envelope->find("fakeshop") == std::string::npos);  // the shop too is sealed

  auto back =
      syncline::unseal_credentials<fake::credentials>(*ring, "shop_sync", "acme", *envelope);
  REQUIRE(back);
  CHECK(back->shop == creds.shop);
  CHECK(back->access_token == creds.access_token);
  CHECK(back->client_secret == creds.client_secret);

  SECTION("another row's envelope does not open here") {
    auto moved =
        syncline::unseal_credentials<fake::credentials>(*ring, "shop_sync", "bravo", *envelope);
    REQUIRE_FALSE(moved);
    CHECK(moved.error().category == syncline::errc::unauthorized);
    CHECK(moved.error().message.find("shop_sync/bravo") != std::string::npos);
  }
  SECTION("a keyring without its key names the key id") {
    auto other = ring_of(entry("k2"));
    auto r =
        syncline::unseal_credentials<fake::credentials>(*other, "shop_sync", "acme", *envelope);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::not_found);
    CHECK(r.error().message.find("k1") != std::string::npos);
  }
  SECTION("a wrong key of the same id is refused, not garbage") {
    auto impostor = ring_of(entry("k1"));
    auto r =
        syncline::unseal_credentials<fake::credentials>(*impostor, "shop_sync", "acme", *envelope);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::unauthorized);
    CHECK(r.error().message.find(creds.access_token.reveal()) == std::string::npos);
  }
}

TEST_CASE("an engine with a keyring keeps credentials sealed, and a later engine restores them") {
  stored_engine t;
  const std::string k1 = entry("k1");
  auto ring = ring_of(k1);
  {
    syncline::engine eng(t.options(ring));
    REQUIRE(eng.install(shop_sync, syncline::tenant{"acme", t.acme},
                        syncline::services(t.out, t.shop)));
    REQUIRE(eng.install(shop_sync, syncline::tenant{"bravo", t.bravo},
                        syncline::services(t.out, t.shop)));
    REQUIRE(eng.start());
    t.delivers(eng, t.acme, "w-1");
    eng.stop();
  }
  const std::string bytes = syncline::testing::directory_bytes(t.dir.path());
  for (const auto* c : {&t.acme, &t.bravo}) {
    CHECK(bytes.find(c->access_token.reveal()) == std::string::npos);
    CHECK(bytes.find(c->client_secret.reveal()) == std::string::npos);
  }

  SECTION("restore installs every stored tenant: nothing supplied again") {
    syncline::engine eng(t.options(ring));
    auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
    REQUIRE(n);
    CHECK(*n == 2);
    REQUIRE(eng.start());
    t.delivers(eng, t.acme, "w-2");
    t.delivers(eng, t.bravo, "w-3");
  }
  SECTION("after an uninstall there is nothing left to restore of that tenant") {
    {
      syncline::engine eng(t.options(ring));
      REQUIRE(eng.restore(shop_sync, syncline::services(t.out, t.shop)));
      REQUIRE(eng.uninstall("shop_sync", "acme"));
    }
    syncline::engine eng(t.options(ring));
    auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
    REQUIRE(n);
    CHECK(*n == 1);
    auto row = eng.durable_store()->get_installation("shop_sync", "acme");
    REQUIRE(row);
    CHECK_FALSE(row->has_value());
  }
  SECTION("a rotation: the new key first, the old one still opens, and restore reseals") {
    const std::string k2 = entry("k2");
    auto rotated = ring_of(k2 + "\n" + k1);
    {
      syncline::engine eng(t.options(rotated));
      auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
      REQUIRE(n);
      CHECK(*n == 2);
      auto rows = eng.durable_store()->list_installations("shop_sync");
      REQUIRE(rows);
      for (const auto& row : *rows) {
        auto key = syncline::crypto::sealed_key_id(row.credentials.reveal());
        REQUIRE(key);
        CHECK(*key == "k2");
      }
    }
    // k1 can go now: the new key alone opens everything.
    syncline::engine eng(t.options(ring_of(k2)));
    auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
    REQUIRE(n);
    CHECK(*n == 2);
  }
  SECTION("a keyring that lacks the key is a clear error at start, never garbage") {
    syncline::engine eng(t.options(ring_of(entry("k9"))));
    auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
    REQUIRE_FALSE(n);
    CHECK(n.error().category == syncline::errc::not_found);
    CHECK(n.error().message.find("shop_sync/") != std::string::npos);
    CHECK(n.error().message.find("k1") != std::string::npos);
  }
  SECTION("no keyring while rows are sealed is an error, not an empty engine") {
    syncline::engine eng(t.options(nullptr));
    auto n = eng.restore(shop_sync, syncline::services(t.out, t.shop));
    REQUIRE_FALSE(n);
    CHECK(n.error().message.find("keyring") != std::string::npos);
  }
}

}  // namespace unity_runtime_credentials_at_rest_test
