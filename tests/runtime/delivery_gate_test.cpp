// The one delivery gate (runtime/detail/delivery_gate.hpp): a delivery is identified once through
// its app and verified once per installation it names, however many workflows listen to its
// topic; it fans out to all of them; the uninstall topic is verified once too; and POST /events
// is your platform's delivery through the same gate. A counting app counts what the gate asks.
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/engine.hpp>

#include <boost/describe/class.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime_fixture.hpp"

using namespace runtime_test;
using verb = boost::beast::http::verb;

namespace counting {

struct credentials {
  std::string shop;
  syncline::secret client_secret;
  std::string tenant_key() const { return shop; }
};
BOOST_DESCRIBE_STRUCT(credentials, (), (shop, client_secret))

// fakeshop's scheme (runtime_fixture.hpp), counting every identify and verify the engine asks.
struct app {
  static constexpr std::string_view name = "counting";
  using credentials = counting::credentials;
  static constexpr std::string_view uninstall_topic = "app/uninstalled";

  static inline std::atomic<int> identified{0};
  static inline std::atomic<int> verified{0};

  static syncline::result<syncline::delivery_identity> identify(
      const syncline::inbound_delivery& d) {
    ++identified;
    return fake::app::identify(d);
  }
  static syncline::result<void> verify(const syncline::inbound_delivery& d, const credentials& c) {
    ++verified;
    return fake::app::verify(d, fake::credentials{c.shop, c.client_secret, {}});
  }
};

struct order {
  std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(order, (), (id))

template <syncline::fixed_string Topic>
using webhook = syncline::webhook<app, Topic, order>;

constexpr auto keep = [](const order&) {};
inline constexpr auto first =
    syncline::workflow<"first">(webhook<"orders/create">{} | syncline::to<"keep_first">(keep));
inline constexpr auto second =
    syncline::workflow<"second">(webhook<"orders/create">{} | syncline::to<"keep_second">(keep));
inline constexpr auto other_topic = syncline::workflow<"other_topic">(
    webhook<"orders/updated">{} | syncline::to<"keep_other">(keep));
inline constexpr auto on_uninstall = syncline::workflow<"on_uninstall">(
    webhook<"app/uninstalled">{} | syncline::to<"keep_uninstall">(keep));
// Two workflows of an event of your platform, which is an app whose deliveries are signed too.
inline constexpr auto placed = syncline::workflow<"placed">(
    syncline::app_event<"order.placed", order>{} | syncline::to<"keep_placed">(keep));
inline constexpr auto placed_too = syncline::workflow<"placed_too">(
    syncline::app_event<"order.placed", order>{} | syncline::to<"keep_placed_too">(keep));
inline constexpr auto orders =
    syncline::integration<"orders", app>(first, second, other_topic, placed, placed_too);
// A second integration of the same app, with its own workflow of the same topic.
inline constexpr auto audit = syncline::integration<"audit", app>(
    syncline::workflow<"audit_orders">(webhook<"orders/create">{} |
                                       syncline::to<"keep_audit">(keep)),
    on_uninstall);

credentials credentials_for(const std::string& name) {
  auto c = fake::credentials_for(name);
  return {c.shop, c.client_secret};
}

}  // namespace counting

namespace {

struct gate_fixture {
  temp_dir dir;
  log_capture logs;
  syncline::engine_options options;
  std::optional<syncline::engine> eng;
  counting::credentials acme = counting::credentials_for("acme");

  explicit gate_fixture(bool with_audit = false) {
    options.threads = 2;
    options.database = dir.file("engine.db");
    options.listen = {"127.0.0.1", 0};
    options.idle_poll = 50ms;
    options.log = logs.sink();
    eng.emplace(options);
    REQUIRE(eng->install(counting::orders, syncline::tenant{"acme", acme}));
    REQUIRE(eng->install(counting::orders,
                         syncline::tenant{"bravo", counting::credentials_for("bravo")}));
    if (with_audit) REQUIRE(eng->install(counting::audit, syncline::tenant{"acme", acme}));
    REQUIRE(eng->start());
    counting::app::identified = 0;
    counting::app::verified = 0;
  }
  ~gate_fixture() { eng->stop(); }

  answer deliver_to(const std::string& target, const std::string& id, const std::string& body,
                    std::string_view secret_text) const {
    return request(eng->port(), verb::post, target, body,
                   {{std::string(fake::shop_header), acme.shop},
                    {std::string(fake::id_header), id},
                    {std::string(fake::hmac_header),
                     syncline::http::hmac_sha256_base64(
                         secret_text.empty() ? acme.client_secret.reveal() : secret_text, body)}});
  }

  answer post_counting(std::string_view topic, const std::string& id,
                       std::string_view secret_text = {}) const {
    return deliver_to("/webhooks/counting/" + std::string(topic), id, R"({"id":1})", secret_text);
  }

  std::size_t runs_of(std::string_view workflow) {
    auto runs = eng->runs({});
    REQUIRE(runs);
    std::size_t n = 0;
    for (const auto& r : *runs) n += r.workflow == workflow;
    return n;
  }
};

std::size_t count_runs(std::string_view body) {
  const auto open = body.find("\"runs\":[");
  if (open == std::string_view::npos) return 0;
  const auto list = body.substr(open + 8, body.find(']', open) - open - 8);
  if (list.empty()) return 0;
  std::size_t n = 1;
  for (char c : list) n += c == ',';
  return n;
}

}  // namespace

TEST_CASE("two workflows on one topic: one identify, one verify, a run for each") {
  gate_fixture t;
  auto a = t.post_counting("orders/create", "wh-1");
  CHECK(a.status == 200);
  CHECK(a.body.find("accepted") != std::string::npos);
  CHECK(count_runs(a.body) == 2);
  CHECK(counting::app::identified == 1);
  CHECK(counting::app::verified == 1);
  CHECK(t.runs_of("first") == 1);
  CHECK(t.runs_of("second") == 1);
  CHECK(t.runs_of("other_topic") == 0);

  // A redelivery: the same count of calls, no new run.
  auto again = t.post_counting("orders/create", "wh-1");
  CHECK(again.status == 200);
  CHECK(again.body.find("duplicate") != std::string::npos);
  CHECK(counting::app::identified == 2);
  CHECK(counting::app::verified == 2);
  CHECK(t.runs_of("first") == 1);
}

TEST_CASE("a delivery is verified once per installation it names, not per workflow") {
  gate_fixture t(true);  // acme has installed `orders` (2 workflows) and `audit` (1)
  auto a = t.post_counting("orders/create", "wh-2");
  CHECK(a.status == 200);
  CHECK(count_runs(a.body) == 3);
  CHECK(counting::app::identified == 1);
  CHECK(counting::app::verified == 2);  // orders' and audit's installation of acme
  CHECK(t.runs_of("audit_orders") == 1);
}

TEST_CASE("a bad signature or an unknown tenant is refused once, before any run") {
  gate_fixture t;
  auto bad = t.post_counting("orders/create", "wh-3", "not-the-secret");
  CHECK(bad.status == 401);
  CHECK(bad.body.find("could not be authenticated") != std::string::npos);
  CHECK(counting::app::identified == 1);
  CHECK(counting::app::verified == 1);

  auto unknown =
      request(t.eng->port(), verb::post, "/webhooks/counting/orders/create", R"({"id":1})",
              {{std::string(fake::shop_header), "nobody.fakeshop.test"},
               {std::string(fake::id_header), "wh-4"},
               {std::string(fake::hmac_header), "c2ln"}});
  CHECK(unknown.status == 401);
  CHECK(counting::app::verified == 1);  // no installation: nothing to verify with
  CHECK(t.runs_of("first") == 0);

  // Nobody listens: refused before the app is asked anything.
  CHECK(t.post_counting("orders/paid", "wh-5").status == 404);
  CHECK(counting::app::identified == 2);
}

TEST_CASE("the uninstall topic is verified once and uninstalls the installations it verified") {
  gate_fixture t(true);  // audit listens to app/uninstalled; orders does not
  auto a = t.post_counting("app/uninstalled", "wh-6");
  CHECK(a.status == 200);
  CHECK(count_runs(a.body) == 1);  // audit's on_uninstall
  CHECK(counting::app::identified == 1);
  CHECK(counting::app::verified == 2);  // once per installation of acme, not once more for the
                                        // workflow that listens
  REQUIRE(wait_until([&] { return t.logs.contains("uninstall notice received"); }));
  // Both of acme's installations are gone; bravo's stays.
  CHECK(t.post_counting("orders/create", "wh-7").status == 401);
  // A repeated notice verifies with the retired credentials and changes nothing.
  CHECK(t.post_counting("app/uninstalled", "wh-8").status == 200);
}

TEST_CASE("POST /events is your platform's delivery and goes through the same gate") {
  temp_dir dir;
  log_capture logs;
  syncline::engine_options options;
  options.threads = 2;
  options.database = dir.file("engine.db");
  options.listen = {"127.0.0.1", 0};
  options.log = logs.sink();
  options.event_signing_secret = syncline::secret("platform-signing-secret-1");
  syncline::engine eng(options);
  REQUIRE(
      eng.install(counting::orders, syncline::tenant{"acme", counting::credentials_for("acme")}));
  REQUIRE(eng.start());
  counting::app::identified = 0;
  const std::string ts = syncline::data_stream::timestamp_value(std::chrono::system_clock::now());
  auto post = [&](std::string_view event, const std::string& tenant, const std::string& key,
                  const std::string& body, std::optional<std::string> sig = std::nullopt) {
    return request(eng.port(), verb::post, "/events/" + std::string(event), body,
                   {{"X-Syncline-Tenant", tenant},
                    {"X-Syncline-Timestamp", ts},
                    {"X-Syncline-Signature", sig.value_or(syncline::data_stream::sign(
                                                 options.event_signing_secret, ts, body))},
                    {"X-Syncline-Idempotency-Key", key}});
  };
  const std::string body = R"({"id":1})";

  // Both workflows of the event, in one answer; a redelivery is a duplicate.
  auto ok = post("order.placed", "acme", "evt-1", body);
  CHECK(ok.status == 200);
  CHECK(count_runs(ok.body) == 2);
  auto dup = post("order.placed", "acme", "evt-1", body);
  CHECK(dup.body.find("duplicate") != std::string::npos);
  CHECK(count_runs(dup.body) == 2);

  // The platform's secret is one for every tenant: a bad signature is refused with the reason,
  // and a tenant that installed nothing is answered without runs.
  auto bad = post("order.placed", "acme", "evt-2", body, "v1=00");
  CHECK(bad.status == 401);
  CHECK(bad.body.find("could not be authenticated") == std::string::npos);
  auto nobody = post("order.placed", "bravo", "evt-3", body);
  CHECK(nobody.status == 200);
  CHECK(count_runs(nobody.body) == 0);

  // Refused at the door: no tenant, a body that does not decode, an event nobody listens to.
  CHECK(post("order.placed", "", "evt-4", body).status == 400);
  auto undecodable = post("order.placed", "acme", "evt-5", R"({"id":"one"})");
  CHECK(undecodable.status == 400);
  CHECK(undecodable.body.find("does not decode") != std::string::npos);
  auto none = post("order.shipped", "acme", "evt-6", body);
  CHECK(none.status == 404);
  CHECK(none.body.find(R"(no installed workflow listens to event \"order.shipped\")") !=
        std::string::npos);
  // Webhooks of the counting app were not asked about any of it.
  CHECK(counting::app::identified == 0);
  eng.stop();
}

TEST_CASE("POST /events without an event signing secret is not served") {
  temp_dir dir;
  syncline::engine_options options;
  options.database = dir.file("engine.db");
  options.listen = {"127.0.0.1", 0};
  options.log = [](syncline::log_level, std::string_view) {};
  syncline::engine eng(options);
  REQUIRE(
      eng.install(counting::orders, syncline::tenant{"acme", counting::credentials_for("acme")}));
  REQUIRE(eng.start());
  auto a = request(eng.port(), verb::post, "/events/order.placed", R"({"id":1})",
                   {{"X-Syncline-Tenant", "acme"}});
  CHECK(a.status == 404);
  CHECK(a.body.find("no event_signing_secret") != std::string::npos);
  eng.stop();
}
