// The data stream against a local receiver (http::server on 127.0.0.1), and the receiver-side
// verifier against signatures computed independently with OpenSSL's EVP_MAC.
#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/data_stream_signature.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/server.hpp>

#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <deque>
#include <mutex>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string>
#include <vector>

#include "http/test_support.hpp"

namespace unity_connectors_data_stream_test {

namespace ds = syncline::data_stream;
using syncline::errc;
using syncline::http::test::run;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace stream_test {

struct order_event {
  std::uint64_t id = 0;
  std::string name;
  syncline::money total;
};
BOOST_DESCRIBE_STRUCT(order_event, (), (id, name, total))

order_event sample() { return {820982911946154508ULL, "#1001", *syncline::money::parse("199.65")}; }

const syncline::secret signing_secret("whsec-test-0123456789abcdef");

// What the application received.
struct delivery {
  std::string body, signature, timestamp, idempotency_key, tenant, stream, content_type;
};

// A receiver that records every POST and answers with the statuses it is given, then 200.
class receiver {
 public:
  explicit receiver(syncline::http::io_threads& threads) : server_(threads.executor()) {
    server_.route(syncline::http::verb::post, "/hooks/{stream}",
                  [this](syncline::http::incoming& in) -> net::awaitable<syncline::http::response> {
                    std::lock_guard lock(mutex_);
                    deliveries_.push_back({std::string(in.body()),
                                           std::string(in.header(ds::signature_header)),
                                           std::string(in.header(ds::timestamp_header)),
                                           std::string(in.header(ds::idempotency_key_header)),
                                           std::string(in.header(ds::tenant_header)),
                                           std::string(in.header("X-Syncline-Stream")),
                                           std::string(in.header("Content-Type"))});
                    unsigned status = 200;
                    std::string body = R"({"ok":true})";
                    if (!answers_.empty()) {
                      std::tie(status, body) = answers_.front();
                      answers_.pop_front();
                    }
                    auto res = syncline::http::make_response(status, body);
                    if (status == 503) res.set("Retry-After", "0");
                    co_return res;
                  });
    REQUIRE(server_.listen().has_value());
  }
  ~receiver() { server_.stop(); }

  std::string endpoint() const { return server_.url() + "/hooks/orders?token=query-secret"; }
  void answer(unsigned status, std::string body = {}) {
    std::lock_guard lock(mutex_);
    answers_.emplace_back(status, std::move(body));
  }
  std::vector<delivery> deliveries() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

 private:
  syncline::http::server server_;
  std::mutex mutex_;
  std::vector<delivery> deliveries_;
  std::deque<std::pair<unsigned, std::string>> answers_;
};

// HMAC-SHA256 through OpenSSL's EVP_MAC interface: not the helper the library signs with.
std::string independent_hmac_hex(std::string_view key, std::string_view message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  REQUIRE(EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                       params) == 1);
  REQUIRE(EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1);
  unsigned char out[32];
  std::size_t len = 0;
  REQUIRE(EVP_MAC_final(ctx, out, &len, sizeof out) == 1);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < len; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 0xF];
  }
  return hex;
}

std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

}  // namespace stream_test

using namespace stream_test;

TEST_CASE("data stream: a record is posted as signed JSON the verifier accepts", "[data_stream]") {
  syncline::http::io_threads threads(1);
  receiver app(threads);
  syncline::http::client client(threads.executor());
  ds::stream<"orders"> orders(client,
                              {.endpoint = app.endpoint(), .signing_secret = signing_secret});

  auto sent = run(threads, orders.send(sample(), "shop-1/sync/orders/r-7/orders", "shop-1"));
  INFO((sent ? "" : sent.error().message));
  REQUIRE(sent.has_value());

  auto got = app.deliveries();
  REQUIRE(got.size() == 1);
  const delivery& d = got[0];
  CHECK(d.body == R"({"id":820982911946154508,"name":"#1001","total":"199.65"})");
  CHECK(d.content_type == "application/json");
  CHECK(d.idempotency_key == "shop-1/sync/orders/r-7/orders");
  CHECK(d.tenant == "shop-1");
  CHECK(d.stream == "orders");
  // The documented scheme, computed independently: v1=hex(HMAC-SHA256(secret, ts + "." + body)).
  CHECK(d.signature ==
        "v1=" + independent_hmac_hex(signing_secret.reveal(), d.timestamp + "." + d.body));
  const auto sent_at = std::stoll(d.timestamp);
  CHECK(std::abs(sent_at - std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()) < 60);

  ds::verifier verify(signing_secret);
  CHECK(verify.verify(d.body, d.signature, d.timestamp).has_value());
  CHECK(verify.verify(d.body, d.signature, d.timestamp, at(sent_at + 299)).has_value());
}

TEST_CASE("data stream verifier: replays, tampering and bad headers are refused with a reason",
          "[data_stream]") {
  const std::string body = R"({"id":1,"total":"10.00"})";
  const std::string ts = "1700000000";
  const std::string good = ds::sign(signing_secret, ts, body);
  CHECK(good == "v1=" + independent_hmac_hex(signing_secret.reveal(), ts + "." + body));
  ds::verifier verify(signing_secret, {.tolerance = 300s});

  auto refused = [&](std::string_view b, std::string_view sig, std::string_view t,
                     std::int64_t now) -> std::string {
    auto r = verify.verify(b, sig, t, at(now));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::unauthorized);
    CHECK_THAT(r.error().message, !Catch::Contains(std::string(signing_secret.reveal())));
    return r.error().message;
  };

  CHECK(verify.verify(body, good, ts, at(1700000000)).has_value());
  CHECK(verify.verify(body, good, ts, at(1700000300)).has_value());  // at the edge of the window

  SECTION("a replay after the tolerance window") {
    CHECK_THAT(refused(body, good, ts, 1700000301),
               Catch::Contains("301 s ago") && Catch::Contains("replay"));
  }
  SECTION("a timestamp far in the future") {
    CHECK_THAT(refused(body, good, ts, 1699999000), Catch::Contains("in the future"));
  }
  SECTION("a tampered body") {
    std::string tampered = body;
    tampered[tampered.find("10.00")] = '9';
    CHECK_THAT(refused(tampered, good, ts, 1700000000), Catch::Contains("signature mismatch"));
  }
  SECTION("a fresh timestamp on an old signature") {
    CHECK_THAT(refused(body, good, "1700000100", 1700000100),
               Catch::Contains("signature mismatch"));
  }
  SECTION("another secret") {
    const auto other = ds::sign(syncline::secret("another-secret"), ts, body);
    CHECK_THAT(refused(body, other, ts, 1700000000), Catch::Contains("signature mismatch"));
  }
  SECTION("missing or malformed headers") {
    CHECK_THAT(refused(body, "", ts, 1700000000),
               Catch::Contains("X-Syncline-Signature header is missing"));
    CHECK_THAT(refused(body, good, "", 1700000000),
               Catch::Contains("X-Syncline-Timestamp header is missing"));
    CHECK_THAT(refused(body, good, "17e8", 1700000000), Catch::Contains("not a Unix time"));
    CHECK_THAT(refused(body, good.substr(3), ts, 1700000000),
               Catch::Contains("unknown signature scheme"));
    // Upper-case hex is not the scheme's form: the comparison is exact and constant-time.
    std::string upper = good;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.replace(0, 3, "v1=");
    CHECK_THAT(refused(body, upper, ts, 1700000000), Catch::Contains("signature mismatch"));
  }
  SECTION("a rotation accepts the previous secret too") {
    const syncline::secret next("whsec-next");
    ds::verifier rotating(next, signing_secret);
    CHECK(rotating.verify(body, good, ts, at(1700000000)).has_value());
    CHECK(rotating.verify(body, ds::sign(next, ts, body), ts, at(1700000000)).has_value());
  }
}

TEST_CASE("data stream: answers map to done, transient and permanent errors", "[data_stream]") {
  syncline::http::io_threads threads(1);
  receiver app(threads);
  syncline::http::client_options quick;
  quick.retry.initial_backoff = 1ms;
  syncline::http::client client(threads.executor(), quick);
  ds::stream<"orders"> orders(client,
                              {.endpoint = app.endpoint(), .signing_secret = signing_secret});

  SECTION("503 then 200: the client retries the same signed bytes, once done is done") {
    app.answer(503, R"({"error":"busy"})");
    auto r = run(threads, orders.send(sample(), "k-1", "shop-1"));
    REQUIRE(r.has_value());
    auto got = app.deliveries();
    REQUIRE(got.size() == 2);
    CHECK(got[0].idempotency_key == got[1].idempotency_key);
    CHECK(got[0].signature == got[1].signature);
    CHECK(got[0].body == got[1].body);
  }
  SECTION("500 is transient: the runtime will retry the run") {
    app.answer(500, "oops");
    auto r = run(threads, orders.send(sample(), "k-2", "shop-1"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::unavailable);
    CHECK(syncline::is_transient(r.error().category));
    CHECK(r.error().status == 500);
  }
  SECTION("422 is permanent and says what the application answered") {
    app.answer(422, R"({"error":"unknown currency XBT"})");
    auto r = run(threads, orders.send(sample(), "k-3", "shop-1"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::http_status);
    CHECK_FALSE(syncline::is_transient(r.error().category));
    CHECK(r.error().status == 422);
    CHECK_THAT(r.error().message, Catch::Contains("data stream \"orders\"") &&
                                      Catch::Contains("/hooks/orders") &&
                                      Catch::Contains("unknown currency XBT"));
    // The endpoint's query (which may hold a token) and the secret are not in the message.
    CHECK_THAT(r.error().message, !Catch::Contains("query-secret") &&
                                      !Catch::Contains(std::string(signing_secret.reveal())));
  }
  SECTION("401 means the application refused the signature") {
    app.answer(401, "bad signature");
    auto r = run(threads, orders.send(sample(), "k-4", "shop-1"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::unauthorized);
    CHECK_THAT(r.error().message, !Catch::Contains(std::string(signing_secret.reveal())));
  }
  SECTION("408 is transient") {
    app.answer(408);
    auto r = run(threads, orders.send(sample(), "k-5", "shop-1"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::timeout);
  }
}

TEST_CASE("data stream: an unreachable endpoint is a transient error without secrets",
          "[data_stream]") {
  syncline::http::io_threads threads(1);
  syncline::http::client_options once;
  once.connect_timeout = 2000ms;
  once.retry = syncline::http::request_retry::none();
  syncline::http::client client(threads.executor(), once);
  ds::stream<"orders"> orders(client, {.endpoint = "http://127.0.0.1:1/hooks?token=query-secret",
                                       .signing_secret = signing_secret});
  auto r = run(threads, orders.send(sample(), "k", "shop-1"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().category == errc::connect);
  CHECK(syncline::is_transient(r.error().category));
  CHECK_THAT(r.error().message, Catch::Contains("data stream \"orders\""));
  CHECK_THAT(r.error().message, !Catch::Contains("query-secret") &&
                                    !Catch::Contains(std::string(signing_secret.reveal())));

  ds::stream<"broken"> broken(client, {.endpoint = "not a url", .signing_secret = signing_secret});
  auto b = run(threads, broken.send(sample(), "k", "shop-1"));
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().category == errc::invalid_input);
}

TEST_CASE("data stream: the send_to destination posts with the run's key and tenant",
          "[data_stream]") {
  syncline::http::io_threads threads(1);
  receiver app(threads);
  syncline::http::client client(threads.executor());
  ds::stream<"orders"> orders(client,
                              {.endpoint = app.endpoint(), .signing_secret = signing_secret});

  static_assert(syncline::is_destination_v<ds::send_to<"orders">>);
  static_assert(std::is_empty_v<ds::send_to<"orders">>);

  syncline::run_context ctx(syncline::run_info{"shop-1.myshopify.com", "r-42", "shopify_sync", 2});
  const ds::send_to<"orders"> destination;

  SECTION("without the stream in the context the run fails with a clear reason") {
    auto r = run(threads, destination(sample(), ctx));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().category == errc::internal);
    CHECK_THAT(r.error().message, Catch::Contains("no data stream \"orders\""));
  }
  SECTION("one record, then a batch as a JSON array") {
    ctx.provide(orders);
    REQUIRE(run(threads, destination(sample(), ctx)).has_value());
    const std::vector<order_event> batch{sample(), {2, "#1002", *syncline::money::parse("5.00")}};
    REQUIRE(run(threads, destination(batch, ctx)).has_value());
    auto got = app.deliveries();
    REQUIRE(got.size() == 2);
    CHECK(got[0].idempotency_key == ctx.idempotency_key());
    CHECK(got[0].tenant == "shop-1.myshopify.com");
    CHECK(got[1].body == R"([{"id":820982911946154508,"name":"#1001","total":"199.65"},)"
                         R"({"id":2,"name":"#1002","total":"5.00"}])");
    ds::verifier verify(signing_secret);
    for (const auto& d : got) CHECK(verify.verify(d.body, d.signature, d.timestamp).has_value());
  }
}

TEST_CASE("data stream: a workflow ends in send_to", "[data_stream]") {
  constexpr auto to_app = syncline::workflow<"orders_to_app">(syncline::manual<order_event>{} |
                                                              ds::send_to<"orders">{});
  syncline::http::io_threads threads(1);
  receiver app(threads);
  syncline::http::client client(threads.executor());
  ds::stream<"orders"> orders(client,
                              {.endpoint = app.endpoint(), .signing_secret = signing_secret});
  syncline::run_context ctx(syncline::run_info{"shop-1", "r-9", "shopify_sync", 1});
  ctx.provide(orders);
  auto outcome = run(threads, to_app.run(sample(), ctx));
  REQUIRE(outcome.has_value());
  CHECK(outcome->completed());
  auto got = app.deliveries();
  REQUIRE(got.size() == 1);
  CHECK(got[0].idempotency_key == "shop-1/shopify_sync/orders_to_app/r-9/orders");
}

TEST_CASE("data stream: a delivery signed too long ago is refused by the receiver",
          "[data_stream]") {
  // A stream whose clock is 10 minutes behind stands in for a captured delivery replayed later.
  syncline::http::io_threads threads(1);
  receiver app(threads);
  syncline::http::client client(threads.executor());
  ds::stream<"orders"> late(
      client, {.endpoint = app.endpoint(), .signing_secret = signing_secret, .clock = [] {
                 return std::chrono::system_clock::now() - 10min;
               }});
  REQUIRE(run(threads, late.send(sample(), "k", "shop-1")).has_value());
  auto got = app.deliveries();
  REQUIRE(got.size() == 1);
  auto r = ds::verifier(signing_secret).verify(got[0].body, got[0].signature, got[0].timestamp);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::Contains("replay"));
}

}  // namespace unity_connectors_data_stream_test
