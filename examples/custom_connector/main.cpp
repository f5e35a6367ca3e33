// custom_connector: a user-written block and a user-written connector for another REST app, a
// (made-up) helpdesk whose API creates tickets with `POST {base}/api/tickets`.
//
// The block and the connector, with the workflow that uses them, are everything between the two
// "8<" markers below: 58 non-blank lines, comments and both markers included (count them with
// `sed -n '/^\/\/ 8< block/,/^\/\/ 8< test/p' main.cpp | grep -cv '^ *$'`). What follows
// the second marker only makes the example run offline and check itself: a tiny in-process
// http::server plays the helpdesk.
//
// The workflow: your platform emits invoice.payment_failed -> a ticket for the support team ->
// created in the customer's helpdesk, once per run however often the runtime retries it.
#include <syncline/connectors/http_answer.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

// 8< block and connector ----------------------------------------------------------------------
namespace helpdesk {
struct app {
  static constexpr std::string_view name = "helpdesk";
};

struct ticket {
  std::string subject;
  std::string requester;
  int priority = 2;  // 1 = urgent
};
BOOST_DESCRIBE_STRUCT(ticket, (), (subject, requester, priority))

// One tenant's helpdesk: where it is and the API key they gave us. The runtime provides it.
struct account {
  std::string base_url;
  syncline::secret api_key;
};

// The connector's action, a destination. The run's idempotency key goes along, so a retried
// run creates the ticket once; the HTTP client does the pooling, timeouts and retries.
struct create_ticket : syncline::destination {
  using app_type = app;
  static constexpr std::string_view name = "create_ticket";

  boost::asio::awaitable<syncline::result<void>> operator()(ticket t,
                                                            syncline::run_context& ctx) const {
    auto* api = ctx.service<syncline::http::client>();
    auto* acct = ctx.service<account>();
    if (!api || !acct)
      co_return syncline::make_error(syncline::errc::internal,
                                     "provide an http::client and a helpdesk::account to the run");
    syncline::http::fields headers;
    headers.set(syncline::http::field::authorization,
                "Bearer " + std::string(acct->api_key.reveal()));
    headers.set(syncline::http::field::content_type, "application/json");
    headers.set("Idempotency-Key", ctx.idempotency_key());
    syncline::http::request_options options;
    options.retry_unsafe = true;  // the idempotency key makes a repeated POST harmless
    auto answer = co_await api->post(acct->base_url + "/api/tickets", syncline::json::encode(t),
                                     std::move(headers), options);
    if (!answer) co_return std::move(answer).error();
    co_return syncline::connectors::answer_to_result(*answer, "helpdesk POST /api/tickets");
  }
};
}  // namespace helpdesk

// Your platform's event, and the user-written block that turns it into a ticket.
struct payment_failed {
  std::string customer_email;
  std::int64_t amount_cents;
};

struct to_ticket {
  static constexpr std::string_view name = "to_ticket";
  helpdesk::ticket operator()(const payment_failed& p) const {
    return {"Payment of " + std::to_string(p.amount_cents / 100) + " failed", p.customer_email,
            p.amount_cents >= 100'000 ? 1 : 2};
  }
};

constexpr auto payment_alerts = syncline::workflow<"payment_alerts">(
    syncline::app_event<"invoice.payment_failed", payment_failed>{} | to_ticket{} |
    helpdesk::create_ticket{});
// 8< test harness -----------------------------------------------------------------------------

namespace {
namespace http = syncline::http;

// The helpdesk, in process: keeps tickets by idempotency key and checks the API key.
struct fake_helpdesk {
  std::mutex mutex;
  std::map<std::string, helpdesk::ticket> tickets;  // idempotency key -> ticket

  void serve(http::server& srv) {
    srv.route(http::verb::post, "/api/tickets",
              [this](http::incoming& in) -> boost::asio::awaitable<http::response> {
                if (in.header(http::field::authorization) != "Bearer hd-key-123")
                  co_return http::make_response(401, R"({"error":"bad API key"})");
                auto t = syncline::json::decode<helpdesk::ticket>(in.body());
                if (!t) co_return http::make_response(422, R"({"error":"not a ticket"})");
                std::lock_guard lock(mutex);
                tickets.emplace(std::string(in.header("Idempotency-Key")), *t);
                co_return http::make_response(201, R"({"id":1})");
              });
  }
};

int failures = 0;

void expect(bool ok, std::string_view what) {
  std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
  if (!ok) ++failures;
}
}  // namespace

int main() {
  http::io_threads threads(1);
  fake_helpdesk desk;
  http::server srv(threads.executor());
  desk.serve(srv);
  if (auto listening = srv.listen("127.0.0.1", 0); !listening) {
    std::cout << "cannot listen: " << listening.error().message << "\n";
    return 1;
  }
  http::client client(threads.executor());
  helpdesk::account acme{srv.url(), syncline::secret("hd-key-123")};
  helpdesk::account wrong_key{srv.url(), syncline::secret("hd-key-old")};

  // One run of the workflow on the I/O thread, waited for here.
  auto run = [&](const char* run_id, payment_failed event, helpdesk::account& account) {
    syncline::result<syncline::run_ending> outcome =
        syncline::make_error(syncline::errc::internal, "not run");
    boost::asio::co_spawn(
        threads.executor(),
        [&]() -> boost::asio::awaitable<void> {
          syncline::run_context ctx({.tenant = "acme", .run_id = run_id, .integration = "support"});
          ctx.provide(client);
          ctx.provide(account);
          outcome = co_await payment_alerts.run(std::move(event), ctx);
        },
        boost::asio::use_future)
        .get();
    std::cout << "run " << run_id << ": "
              << (outcome ? "completed" : "failed, " + syncline::to_string(outcome.error()))
              << "\n";
    return outcome;
  };

  auto r1 = run("r-1", {"ada@example.com", 250'000}, acme);
  auto r1_again = run("r-1", {"ada@example.com", 250'000}, acme);  // the runtime retried r-1
  auto r2 = run("r-2", {"bob@example.com", 4'200}, acme);
  auto refused = run("r-3", {"eve@example.com", 100}, wrong_key);
  srv.stop();

  std::lock_guard lock(desk.mutex);
  expect(r1 && r1->completed() && r1_again && r1_again->completed() && r2 && r2->completed(),
         "runs r-1 (twice) and r-2 completed");
  expect(desk.tickets.size() == 2, "two tickets: the retried run r-1 created none");
  const auto ada = desk.tickets.find("acme/support/payment_alerts/r-1/create_ticket");
  expect(ada != desk.tickets.end() && ada->second.requester == "ada@example.com" &&
             ada->second.priority == 1 && ada->second.subject == "Payment of 2500 failed",
         "ada's ticket is urgent, keyed by r-1's idempotency key");
  expect(!refused && refused.error().category == syncline::errc::unauthorized &&
             refused.error().message.find("hd-key-old") == std::string::npos,
         "a wrong API key fails the run as unauthorized, without showing the key");

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks FAILED\n");
  return failures == 0 ? 0 : 1;
}
