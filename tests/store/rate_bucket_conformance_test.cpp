// Shared rate buckets (store::reserve_rate, store::observe_rate), for every store of
// STORES_UNDER_TEST: the processes of one database take turns in one bucket per name, so that N
// of them together stay inside what the server allows one account. Times come from the store's
// clock, which only the test moves, so every wait is exact.
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_rate_bucket_conformance_test {

using namespace store_test;
using syncline::errc;

namespace {

// Shopify's REST bucket on the standard plan, made small: 3 calls, leaking 2 a second.
const st::rate_bucket rest{"shopify/acme.myshopify.com/rest", 3, 2};

std::chrono::nanoseconds reserve_ok(st::store& s, const st::rate_bucket& b, double cost = 1) {
  auto r = s.reserve_rate(b, cost);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

}  // namespace

TEMPLATE_TEST_CASE(
    "a shared bucket lets calls through until it is full, then each waits behind "
    "the ones before it",
    "[store][rate]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));

  // A new bucket starts empty: three calls fit at once.
  CHECK(reserve_ok(*s, rest) == 0ms);
  CHECK(reserve_ok(*s, rest) == 0ms);
  CHECK(reserve_ok(*s, rest) == 0ms);
  // Then the waits add up, half a second per call at 2 a second: a reservation counts at once.
  CHECK(reserve_ok(*s, rest) == 500ms);
  CHECK(reserve_ok(*s, rest) == 1000ms);
  // A second later two calls have leaked out: the level was 5, it is 3, and the next waits 0.5 s.
  clock.advance(1s);
  CHECK(reserve_ok(*s, rest) == 500ms);
  // A long quiet empties it and no more: three fit again.
  clock.advance(1h);
  CHECK(reserve_ok(*s, rest, 3) == 0ms);
  CHECK(reserve_ok(*s, rest) == 500ms);
  // A cost is any amount (GraphQL points); a bucket is its name, whatever its size today.
  const st::rate_bucket graphql{"shopify/acme.myshopify.com/graphql", 1000, 50};
  CHECK(reserve_ok(*s, graphql, 990) == 0ms);
  CHECK(reserve_ok(*s, graphql, 60) == 1000ms);    // 1050 of 1000, leaking 50 a second
  const st::rate_bucket bigger{rest.name, 10, 2};  // the plan grew
  CHECK(reserve_ok(*s, bigger) == 0ms);            // the level is 5 of now 10
}

TEMPLATE_TEST_CASE("the stores of one database share a bucket, and buckets are apart by name",
                   "[store][rate]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto a = db.open(options_with(clock));
  auto b = db.reopen();

  CHECK(reserve_ok(*a, rest, 3) == 0ms);
  CHECK(reserve_ok(*b, rest) == 500ms);  // b sees what a reserved
  CHECK(reserve_ok(*a, rest) == 1000ms);
  const st::rate_bucket other_shop{"shopify/other.myshopify.com/rest", 3, 2};
  CHECK(reserve_ok(*b, other_shop, 3) == 0ms);
  // A bucket outlives the store that used it: another store of the database finds it.
  a.reset();
  auto c = db.reopen();
  CHECK(reserve_ok(*c, rest) == 1500ms);
}

TEMPLATE_TEST_CASE("what the server counts raises a shared bucket, never lowers it",
                   "[store][rate]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto a = db.open(options_with(clock));
  auto b = db.reopen();

  // Another client used the whole bucket: the server says 3 of 3, and the next call waits.
  REQUIRE(a->observe_rate(rest, 3));
  CHECK(reserve_ok(*b, rest) == 500ms);
  // A count below our own (the server has not seen our reservations yet) changes nothing.
  REQUIRE(b->observe_rate(rest, 0));
  CHECK(reserve_ok(*a, rest) == 1000ms);
  // What the server says drains like the rest.
  clock.advance(1h);
  REQUIRE(a->observe_rate(rest, 2));
  clock.advance(500ms);
  CHECK(reserve_ok(*b, rest) == 0ms);  // 2 - 1 + 1 = 2 of 3
}

TEMPLATE_TEST_CASE(
    "a shared bucket loses no reservation when many threads of two stores reserve "
    "at once",
    "[store][rate]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;  // stands still: every reservation is counted, none leaks
  auto a = db.open(options_with(clock));
  auto b = db.reopen();
  const st::rate_bucket bucket{"shopify/acme.myshopify.com/rest", 10, 1};

  constexpr int threads = 4, each = 10;
  std::mutex m;
  std::vector<std::chrono::nanoseconds> waits;
  std::vector<std::string> errors;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      st::store& s = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < each; ++i) {
        auto w = s.reserve_rate(bucket, 1);
        std::lock_guard lock(m);
        if (w) {
          waits.push_back(*w);
        } else {
          errors.push_back(to_string(w.error()));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  INFO((errors.empty() ? std::string() : errors.front()));
  REQUIRE(errors.empty());
  // Each reservation saw every one before it: ten fit, then 1 s, 2 s, ... 30 s, each once.
  std::sort(waits.begin(), waits.end());
  REQUIRE(waits.size() == threads * each);
  for (int i = 0; i < threads * each; ++i) {
    INFO("reservation " << i);
    CHECK(waits[static_cast<std::size_t>(i)] == std::chrono::seconds(std::max(0, i - 9)));
  }
}

TEMPLATE_TEST_CASE("a malformed rate bucket call is a clear error and changes nothing",
                   "[store][rate]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();

  auto refused = [&](const st::rate_bucket& b, double cost, const std::string& says) {
    INFO("bucket \"" << b.name.substr(0, 20) << "\" " << b.capacity << " " << b.leak_per_second
                     << " cost " << cost);
    auto r = s->reserve_rate(b, cost);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Contains("rate bucket") && Catch::Contains(says));
    auto o = s->observe_rate(b, cost);
    REQUIRE_FALSE(o);
    CHECK(o.error().category == errc::invalid_input);
  };
  refused({"", 3, 2}, 1, "1 to 200 bytes");
  refused({std::string(201, 'x'), 3, 2}, 1, "1 to 200 bytes");
  refused({std::string("a\0b", 3), 3, 2}, 1, "without NUL");
  refused({rest.name, 0, 2}, 1, "capacity and the leak rate");
  refused({rest.name, 3, -1}, 1, "capacity and the leak rate");
  refused({rest.name, inf, 2}, 1, "capacity and the leak rate");
  refused({rest.name, 3, nan}, 1, "capacity and the leak rate");
  refused(rest, -1, "not negative");
  refused(rest, nan, "finite");
  refused(rest, inf, "finite");
  // Nothing of the refused calls was counted: the bucket is still empty.
  CHECK(reserve_ok(*s, rest, 3) == 0ms);
  CHECK(reserve_ok(*s, rest) == 500ms);
}

}  // namespace unity_store_rate_bucket_conformance_test
