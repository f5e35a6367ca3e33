// The store's part of onboarding a shop (issue 14), against every store of STORES_UNDER_TEST:
// the single-use OAuth `state` (put once, taken once, even by two threads at once; expired ones
// answered until prune removes them), and installation revisions, with which many processes
// refreshing one shop's token replace it one at a time (replace_installation).
#include <syncline/store/store.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store_fixture.hpp"
#include "store/stores_under_test.hpp"

namespace unity_store_install_state_conformance_test {

using namespace store_test;
using syncline::errc;

namespace {

st::install_state state_of(std::string nonce, st::time_point expires_at) {
  return {.state = std::move(nonce),
          .integration = "shopify-sync",
          .shop = "acme.myshopify.com",
          .expires_at = expires_at};
}

void put_ok(st::store& s, const st::install_state& state) {
  auto r = s.put_install_state(state);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
}

std::optional<st::install_state> take_ok(st::store& s, std::string_view nonce) {
  auto r = s.take_install_state(nonce);
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  return *r;
}

st::installation_record installation(std::string credentials) {
  return {.integration = "shopify-sync",
          .id = "acme.myshopify.com",
          .credentials = syncline::secret(std::move(credentials)),
          .settings = R"({"currency":"EUR"})"};
}

st::installation_record get_ok(st::store& s) {
  auto r = s.get_installation("shopify-sync", "acme.myshopify.com");
  INFO((r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
  REQUIRE(r->has_value());
  return **r;
}

}  // namespace

TEMPLATE_TEST_CASE("an install state is answered once: a replayed callback finds nothing",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto expires = clock.now() + 10min;
  put_ok(*s, state_of("n0nce_A-1", expires));

  auto taken = take_ok(*s, "n0nce_A-1");
  REQUIRE(taken);
  CHECK(taken->state == "n0nce_A-1");
  CHECK(taken->integration == "shopify-sync");
  CHECK(taken->shop == "acme.myshopify.com");
  CHECK(taken->expires_at == expires);
  CHECK_FALSE(take_ok(*s, "n0nce_A-1"));  // the replay
  CHECK_FALSE(take_ok(*s, "never-put"));
  // Another store of the database (another process) sees it gone too.
  auto other = db.reopen();
  CHECK_FALSE(take_ok(*other, "n0nce_A-1"));
}

TEMPLATE_TEST_CASE("an install state put twice is a conflict, and the first stays intact",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  put_ok(*s, state_of("twice", clock.now() + 10min));
  auto again = state_of("twice", clock.now() + 1h);
  again.shop = "evil.myshopify.com";
  auto r = s->put_install_state(again);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::conflict);
  CHECK(r.error().message.find("twice") == std::string::npos);  // the nonce is never quoted
  auto taken = take_ok(*s, "twice");
  REQUIRE(taken);
  CHECK(taken->shop == "acme.myshopify.com");
}

TEMPLATE_TEST_CASE("a malformed install state is invalid input and nothing is stored", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  const auto expires = clock.now() + 10min;
  for (std::string bad :
       {std::string(), std::string(129, 'a'), std::string("a/b"), std::string("a=b"),
        std::string("sp ace"), std::string("n\0l", 3), std::string("caf\xc3\xa9")}) {
    INFO("state of " << bad.size() << " bytes");
    auto put = s->put_install_state(state_of(bad, expires));
    REQUIRE_FALSE(put);
    CHECK(put.error().category == errc::invalid_input);
    auto take = s->take_install_state(bad);
    REQUIRE_FALSE(take);
    CHECK(take.error().category == errc::invalid_input);
  }
  put_ok(*s, state_of(std::string(128, 'Z'), expires));  // the longest that is allowed
  auto no_shop = state_of("no-shop", expires);
  no_shop.shop.clear();
  auto r = s->put_install_state(no_shop);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::invalid_input);
  CHECK_FALSE(take_ok(*s, "no-shop"));
}

TEMPLATE_TEST_CASE("two threads taking one install state at once: exactly one gets it", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  auto other = db.reopen();  // the second taker is another store, as another process would be
  for (int round = 0; round < 20; ++round) {
    const std::string nonce = "race-" + std::to_string(round);
    put_ok(*s, state_of(nonce, clock.now() + 10min));
    std::latch start(2);
    std::atomic<int> got{0}, failed{0};
    auto taker = [&](st::store& store) {
      start.arrive_and_wait();
      auto r = store.take_install_state(nonce);
      if (!r) {
        ++failed;
      } else if (r->has_value()) {
        ++got;
      }
    };
    std::thread a(taker, std::ref(*s)), b(taker, std::ref(*other));
    a.join();
    b.join();
    INFO("round " << round);
    CHECK(failed == 0);
    CHECK(got == 1);
  }
}

TEMPLATE_TEST_CASE("an expired install state is answered until prune removes it", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  put_ok(*s, state_of("short", clock.now() + 10min));
  put_ok(*s, state_of("shown-expired", clock.now() + 10min));
  put_ok(*s, state_of("long", clock.now() + 1h));
  clock.advance(30min);

  auto expired = take_ok(*s, "shown-expired");
  REQUIRE(expired);  // the caller tells "expired" from "unknown"
  CHECK(expired->expires_at < clock.now());

  auto pruned = s->prune(std::chrono::hours(24 * 7));
  REQUIRE(pruned);
  CHECK(pruned->install_states == 1);
  CHECK_FALSE(take_ok(*s, "short"));
  CHECK(take_ok(*s, "long"));
}

TEMPLATE_TEST_CASE("an installation's revision is 1 when put first and grows at each put",
                   "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  REQUIRE(s->put_installation(installation("token-1")));
  CHECK(get_ok(*s).revision == 1);
  REQUIRE(s->put_installation(installation("token-2")));
  CHECK(get_ok(*s).revision == 2);
  auto listed = s->list_installations("shopify-sync");
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().revision == 2);

  auto next = installation("token-3");
  next.settings = R"({"currency":"USD"})";
  auto replaced = s->replace_installation(next, 2);
  REQUIRE(replaced);
  CHECK(*replaced == 3);
  const auto now = get_ok(*s);
  CHECK(now.revision == 3);
  CHECK(now.credentials.reveal() == "token-3");
  CHECK(now.settings == R"({"currency":"USD"})");

  auto zero = s->replace_installation(next, 0);
  REQUIRE_FALSE(zero);
  CHECK(zero.error().category == errc::invalid_input);
}

TEMPLATE_TEST_CASE(
    "two stores of one database replacing the revision both read: one wins, the other is told",
    "[store]", STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto a = db.open(options_with(clock));
  auto b = db.reopen();
  REQUIRE(a->put_installation(installation("token-0")));
  const std::int64_t read_a = get_ok(*a).revision;
  const std::int64_t read_b = get_ok(*b).revision;
  REQUIRE(read_a == read_b);

  // Sequentially first: the loser's error names the revisions and never the credentials.
  auto first = a->replace_installation(installation("refreshed-by-a"), read_a);
  REQUIRE(first);
  CHECK(*first == read_a + 1);
  auto second = b->replace_installation(installation("refreshed-by-b"), read_b);
  REQUIRE_FALSE(second);
  CHECK(second.error().category == errc::conflict);
  CHECK(second.error().message.find("refreshed-by-b") == std::string::npos);
  CHECK(get_ok(*b).credentials.reveal() == "refreshed-by-a");

  // Then at once, from two threads, many times: exactly one replace of each revision wins.
  for (int round = 0; round < 20; ++round) {
    const std::int64_t read = get_ok(*a).revision;
    std::latch start(2);
    std::atomic<int> won{0}, conflicts{0}, other{0};
    auto refresher = [&](st::store& store, std::string token) {
      start.arrive_and_wait();
      auto r = store.replace_installation(installation(std::move(token)), read);
      if (r) {
        ++won;
      } else if (r.error().category == errc::conflict) {
        ++conflicts;
      } else {
        ++other;
      }
    };
    std::thread ta(refresher, std::ref(*a), "a-" + std::to_string(round));
    std::thread tb(refresher, std::ref(*b), "b-" + std::to_string(round));
    ta.join();
    tb.join();
    INFO("round " << round);
    CHECK(won == 1);
    CHECK(conflicts == 1);
    CHECK(other == 0);
    CHECK(get_ok(*a).revision == read + 1);
  }
}

TEMPLATE_TEST_CASE("replacing an installation that was removed is not_found", "[store]",
                   STORES_UNDER_TEST) {
  TestType db;
  manual_clock clock;
  auto s = db.open(options_with(clock));
  REQUIRE(s->put_installation(installation("token-1")));
  const std::int64_t read = get_ok(*s).revision;
  REQUIRE(s->remove_installation("shopify-sync", "acme.myshopify.com"));
  auto r = s->replace_installation(installation("refreshed"), read);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::not_found);
  auto gone = s->get_installation("shopify-sync", "acme.myshopify.com");
  REQUIRE(gone);
  CHECK_FALSE(gone->has_value());  // the replace did not bring it back
}

}  // namespace unity_store_install_state_conformance_test
