// What the store tests share: a temporary directory, a clock the test moves by hand, a raw SQLite
// connection for doing to the file what another process would do, run builders, and calls that
// REQUIRE success written against store::store& (so every store's tests use them).
#pragma once

#include <syncline/store/clock.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/sqlite_store.hpp>
#include <syncline/store/store.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <vector>

namespace store_test {

using namespace std::chrono_literals;
namespace st = syncline::store;

using temp_dir = syncline::testing::temp_dir;

// Starts on 2026-01-01T00:00:00Z; only advance() moves it.
class manual_clock {
 public:
  st::time_point now() const { return st::time_point(std::chrono::nanoseconds(ns_.load())); }
  void advance(std::chrono::nanoseconds d) { ns_ += d.count(); }
  st::clock_fn fn() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> ns_{1'767'225'600LL * 1'000'000'000LL};
};

inline st::sqlite_store_options options_with(manual_clock& clock) {
  st::sqlite_store_options o;
  o.clock = clock.fn();
  return o;
}

inline std::unique_ptr<st::sqlite_store> open_store(const std::filesystem::path& file,
                                                    st::sqlite_store_options o) {
  auto s = st::sqlite_store::open(file, std::move(o));
  INFO((s ? std::string("opened") : to_string(s.error())));
  REQUIRE(s);
  return std::move(s).value();
}

inline st::new_run make_run(std::string dedupe_key = "", std::string payload = "{}",
                            std::string tenant = "acme.myshopify.com",
                            std::string workflow = "orders-to-app") {
  return {.tenant = std::move(tenant),
          .integration = "shopify-sync",
          .workflow = std::move(workflow),
          .trigger = "orders/create",
          .dedupe_key = std::move(dedupe_key),
          .payload = std::move(payload)};
}

inline std::vector<st::enqueue_result> enqueue_ok(st::store& s, std::vector<st::new_run> runs) {
  auto r = s.enqueue(runs);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

inline std::vector<st::claimed_run> claim_ok(st::store& s, std::size_t max,
                                             std::chrono::milliseconds lease = 30s) {
  auto r = s.claim("worker-1", max, lease);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

inline st::run_record run_of(st::store& s, std::int64_t id) {
  auto r = s.get_run(id);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

// Whether the store holds `role` (store::lead), REQUIRE-ing that it could answer.
inline bool leads(st::store& s, std::string_view role) {
  auto r = s.lead(role);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

// A second connection to the file, as another process would have: to hold the write lock, to
// inject a failure with a trigger, or to read what the store wrote.
class raw_connection {
 public:
  explicit raw_connection(const std::filesystem::path& file) {
    REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;
  ~raw_connection() { sqlite3_close_v2(db_); }

  void exec(const std::string& sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    INFO(sql << ": " << (msg != nullptr ? msg : "ok"));
    sqlite3_free(msg);
    REQUIRE(rc == SQLITE_OK);
  }

  // The first column of the first row, as text.
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace store_test
