// The webhook delivery queue on a manual clock: Shopify's retry schedule, giving up, and the
// injected faults (duplicate, wrong signature, delay, reorder). No sockets, no waiting.
#include <syncline/http/hmac.hpp>
#include <syncline/testing/webhook_retry_schedule.hpp>
#include <syncline_emulator/money.hpp>
#include <syncline_emulator/timestamps.hpp>
#include <syncline_emulator/webhook_delivery_queue.hpp>

#include "testing/emulator_fixture.hpp"

namespace unity_testing_webhook_delivery_test {

using namespace emu_test;

namespace {

t::webhook_delivery delivery(std::string webhook_id, std::string shop = "acme.myshopify.com") {
  t::webhook_delivery d;
  d.shop_domain = std::move(shop);
  d.topic = "orders/create";
  d.webhook_id = std::move(webhook_id);
  d.address = "http://127.0.0.1:9/hooks";
  d.body = "{\"id\":1}";
  d.hmac = http::hmac_sha256_base64(acme_secret, d.body);
  return d;
}

std::vector<std::string> ids(const std::vector<t::webhook_delivery>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.webhook_id);
  return out;
}

}  // namespace

TEST_CASE("Shopify's retry schedule: 8 retries, doubling, 4 hours in all, compressible") {
  t::webhook_retry_schedule s;
  REQUIRE(s.retries() == 8);
  std::chrono::milliseconds total{0};
  for (std::size_t i = 0; i < s.delays.size(); ++i) {
    total += s.delays[i];
    if (i > 0 && i + 1 < s.delays.size()) CHECK(s.delays[i] == 2 * s.delays[i - 1]);
  }
  CHECK(total == 4h);
  CHECK(s.delays.front() == std::chrono::milliseconds(56470));
  CHECK_FALSE(s.delay_after(0));
  CHECK_FALSE(s.delay_after(9));
  s.time_scale = 1.0 / 3600;  // 4 hours become 4 seconds
  std::chrono::nanoseconds scaled{0};
  for (unsigned i = 1; i <= s.retries(); ++i) scaled += *s.delay_after(i);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(scaled).count() ==
        Approx(4000).margin(1));
}

TEST_CASE("a failing delivery is retried on schedule with its original id, then given up") {
  auto clock = start_clock();
  t::webhook_delivery_queue q;
  std::vector<std::string> exhausted;
  q.on_exhausted([&](const t::webhook_delivery& d) { exhausted.push_back(d.webhook_id); });
  q.enqueue(delivery("w-1"), clock.now());
  const auto schedule = q.schedule();
  for (unsigned attempt = 1; attempt <= 9; ++attempt) {
    auto due = q.take_due(clock.now());
    REQUIRE(due.size() == 1);
    CHECK(due[0].webhook_id == "w-1");
    CHECK(due[0].attempts == attempt - 1);
    CHECK(q.in_flight() == 1);
    q.complete(std::move(due[0]), 500, {}, clock.now());
    if (attempt <= 8) {
      // Not a moment early.
      auto wait = std::chrono::duration_cast<std::chrono::system_clock::duration>(
          *schedule.delay_after(attempt));
      clock.advance(wait - std::chrono::milliseconds(1));
      CHECK(q.take_due(clock.now()).empty());
      clock.advance(std::chrono::milliseconds(1));
    }
  }
  CHECK(exhausted == std::vector<std::string>{"w-1"});
  CHECK(q.failed().size() == 1);
  CHECK(q.idle());
  auto log = q.attempts();
  REQUIRE(log.size() == 9);
  CHECK(log.back().attempt == 9);
  CHECK(log.back().at - log.front().at == 4h);
  CHECK_FALSE(log.back().succeeded());
}

TEST_CASE("any 2xx ends a delivery, no answer at all counts as a failure") {
  auto clock = start_clock();
  t::webhook_delivery_queue q;
  q.enqueue(delivery("w-1"), clock.now());
  auto d = q.take_due(clock.now());
  q.complete(std::move(d[0]), std::nullopt, "timeout: no answer within 5000 ms", clock.now());
  CHECK(q.pending() == 1);
  clock.advance(1min);
  d = q.take_due(clock.now());
  REQUIRE(d.size() == 1);
  q.complete(std::move(d[0]), 204, {}, clock.now());
  CHECK(q.idle());
  auto log = q.attempts();
  CHECK(log[0].error.starts_with("timeout"));
  CHECK(log[1].succeeded());
  CHECK(log[1].attempt == 2);
}

TEST_CASE("fault: a duplicate carries the same webhook id, right behind its original") {
  auto clock = start_clock();
  t::webhook_delivery_queue q(t::webhook_retry_schedule{}, 7);
  q.set_faults("acme.myshopify.com", {.duplicate_next = 1});
  q.enqueue(delivery("w-1"), clock.now());
  q.enqueue(delivery("w-2"), clock.now());
  auto due = q.take_due(clock.now());
  CHECK(ids(due) == std::vector<std::string>{"w-1", "w-1", "w-2"});
  CHECK_FALSE(due[0].duplicate);
  CHECK(due[1].duplicate);
  CHECK(due[0].body == due[1].body);
  CHECK(due[0].hmac == due[1].hmac);
  CHECK(due[0].sequence != due[1].sequence);
}

TEST_CASE("fault: a wrong signature is a valid-looking signature that does not verify") {
  auto clock = start_clock();
  t::webhook_delivery_queue q;
  q.set_faults("acme.myshopify.com", {.wrong_signature_next = 1});
  q.enqueue(delivery("w-1"), clock.now());
  q.enqueue(delivery("w-2"), clock.now());
  auto due = q.take_due(clock.now());
  REQUIRE(due.size() == 2);
  CHECK(due[0].wrong_signature);
  CHECK(http::base64_decode(due[0].hmac)->size() == 32);
  CHECK_FALSE(http::verify_hmac_sha256_base64(acme_secret, due[0].body, due[0].hmac));
  CHECK(http::verify_hmac_sha256_base64(acme_secret, due[1].body, due[1].hmac));
  CHECK(due[1].hmac == openssl_hmac(acme_secret, due[1].body));
}

TEST_CASE("fault: a delayed delivery falls due later, letting later ones overtake it") {
  auto clock = start_clock();
  t::webhook_delivery_queue q;
  q.set_faults("acme.myshopify.com", {.delay_next = 1, .delay = 30s});
  q.enqueue(delivery("w-1"), clock.now());
  q.enqueue(delivery("w-2"), clock.now());
  CHECK(ids(q.take_due(clock.now())) == std::vector<std::string>{"w-2"});
  CHECK(*q.next_due() == clock.now() + 30s);
  clock.advance(30s);
  CHECK(ids(q.take_due(clock.now())) == std::vector<std::string>{"w-1"});
}

TEST_CASE("fault: reordering holds N deliveries and releases them newest first") {
  auto clock = start_clock();
  t::webhook_delivery_queue q;
  q.set_faults("acme.myshopify.com", {.reorder_next = 3});
  q.enqueue(delivery("w-1"), clock.now());
  q.enqueue(delivery("w-2"), clock.now());
  CHECK(q.take_due(clock.now()).empty());
  CHECK(q.pending() == 2);
  CHECK_FALSE(q.idle());
  q.enqueue(delivery("w-3"), clock.now());
  q.enqueue(delivery("w-4"), clock.now());
  CHECK(ids(q.take_due(clock.now())) == std::vector<std::string>{"w-3", "w-2", "w-1", "w-4"});
  // Other shops are not affected, and a partial batch can be flushed.
  q.set_faults("acme.myshopify.com", {.reorder_next = 5});
  q.enqueue(delivery("w-5"), clock.now());
  q.enqueue(delivery("b-1", "bravo.myshopify.com"), clock.now());
  CHECK(ids(q.take_due(clock.now())) == std::vector<std::string>{"b-1"});
  CHECK(q.release_held(clock.now()) == 1);
  CHECK(ids(q.take_due(clock.now())) == std::vector<std::string>{"w-5"});
}

TEST_CASE("fault rates are seeded: the same seed gives the same faults") {
  auto run = [](std::uint64_t seed) {
    auto clock = start_clock();
    t::webhook_delivery_queue q(t::webhook_retry_schedule{}, seed);
    q.set_faults("acme.myshopify.com", {.duplicate_rate = 0.5, .wrong_signature_rate = 0.5});
    for (int i = 0; i < 40; ++i) q.enqueue(delivery("w-" + std::to_string(i)), clock.now());
    std::string pattern;
    for (const auto& d : q.take_due(clock.now()))
      pattern += d.duplicate ? 'D' : d.wrong_signature ? 'W' : '.';
    return pattern;
  };
  const auto a = run(11);
  CHECK(a == run(11));
  CHECK(a.find('D') != std::string::npos);
  CHECK(a.find('W') != std::string::npos);
  CHECK(a.size() > 40);
}

TEST_CASE("the emulator drops a subscription whose delivery exhausted its retries") {
  auto clock = start_clock();
  auto options = two_shops(clock);
  options.retry_schedule.delays = {1s, 2s};
  t::shopify_emulator_state emu(std::move(options));
  REQUIRE(emu.subscribe("acme", "customers/redact", "http://127.0.0.1:9/gone"));
  REQUIRE(emu.subscribe("acme", "shop/redact", "http://127.0.0.1:9/fine"));
  REQUIRE(emu.emit("acme", "customers/redact", {{"x", 1}}).value() == 1);
  for (int i = 0; i < 3; ++i) {
    auto due = emu.deliveries().take_due(clock.now());
    REQUIRE(due.size() == 1);
    emu.deliveries().complete(std::move(due[0]), 410, {}, clock.now());
    clock.advance(2s);
  }
  auto left = emu.subscriptions("acme");
  REQUIRE(left.size() == 1);
  CHECK(left[0].topic == "shop/redact");
}

TEST_CASE("timestamps and money are spelled the way Shopify spells them") {
  namespace d = t::detail;
  const auto when = *d::parse_timestamp("2026-01-15T15:30:00.123456789Z");
  CHECK(d::format_utc_nanos(when) == "2026-01-15T15:30:00.123456789Z");
  CHECK(d::format_utc(when) == "2026-01-15T15:30:00Z");
  CHECK(d::format_local(when, std::chrono::minutes(-300)) == "2026-01-15T10:30:00-05:00");
  CHECK(d::format_local(when, std::chrono::minutes(330)) == "2026-01-15T21:00:00+05:30");
  CHECK(*d::parse_timestamp("2026-01-15T10:30:00-05:00") ==
        *d::parse_timestamp("2026-01-15T15:30:00Z"));
  CHECK(*d::parse_timestamp("2026-01-15T10:30:00", std::chrono::minutes(-300)) ==
        *d::parse_timestamp("2026-01-15T15:30:00Z"));
  CHECK_FALSE(d::parse_timestamp("2026-02-30"));
  CHECK_FALSE(d::parse_timestamp("2026-01-15T25:00:00Z"));
  CHECK_FALSE(d::parse_timestamp("yesterday"));
  CHECK(d::parse_cents("19.99") == 1999);
  CHECK(d::parse_cents("19.9") == 1990);
  CHECK(d::parse_amount(boost::json::value(0.1)) == 10);
  CHECK(d::parse_amount(boost::json::value(7)) == 700);
  CHECK_FALSE(d::parse_cents("1.999"));
  CHECK_FALSE(d::parse_cents("-1"));
  CHECK_FALSE(d::parse_cents("1e3"));
  CHECK(d::format_cents(5) == "0.05");
  CHECK(d::format_cents(-1050) == "-10.50");
}

}  // namespace unity_testing_webhook_delivery_test
