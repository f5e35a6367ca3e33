// The PostgreSQL store as a store under test (stores_under_test.hpp): one server per test
// process, started on first use from the test's own thread, and a PostgreSQL schema of its own
// per instance (postgres_store_options::schema), so cases never see each other's rows and cost
// no CREATE DATABASE.
#pragma once

#include <syncline/store/postgres_store.hpp>
#include <syncline/store/store.hpp>
#include <syncline_test_support/postgres_server.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "store/store_fixture.hpp"

namespace store_test {

// The server every postgres_under_test of this process uses; REQUIREs that it started.
inline syncline::testing::postgres_server& shared_postgres_server() {
  static std::optional<syncline::testing::postgres_server> server = [] {
    auto s = syncline::testing::postgres_server::start();
    INFO((s ? std::string("started") : s.error().message));
    REQUIRE(s);
    return std::optional<syncline::testing::postgres_server>(std::move(*s));
  }();
  return *server;
}

inline std::unique_ptr<st::postgres_store> open_postgres_store(const std::string& conninfo,
                                                               st::postgres_store_options o) {
  auto s = st::postgres_store::open(conninfo, std::move(o));
  INFO((s ? std::string("opened") : to_string(s.error())));
  REQUIRE(s);
  return std::move(s).value();
}

class postgres_under_test {
 public:
  postgres_under_test() {
    static std::atomic<int> next{0};
    options_.schema = "store_test_" + std::to_string(++next);
  }

  std::unique_ptr<st::store> open(const st::store_options& policy) {
    const std::string schema = options_.schema;
    options_ = {};
    static_cast<st::store_options&>(options_) = policy;
    options_.schema = schema;
    return reopen();
  }
  std::unique_ptr<st::store> reopen() {
    return open_postgres_store(shared_postgres_server().connection_string(), options_);
  }

  static std::string store_id(st::store& s) { return concrete(s).store_id(); }
  static std::string worker_identity(st::store& s) { return concrete(s).worker_identity(); }

 private:
  static st::postgres_store& concrete(st::store& s) {
    auto* pg = dynamic_cast<st::postgres_store*>(&s);
    REQUIRE(pg != nullptr);
    return *pg;
  }

  st::postgres_store_options options_;
};

}  // namespace store_test
