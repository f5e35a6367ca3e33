// hello_workflow: an integration with a (made-up) CRM, declared, checked by the compiler, run
// and drawn. Two workflows:
//   push_contacts: your platform emits order.placed -> keep orders with an email -> make a CRM
//                  contact -> upsert it in the CRM (exactly once per run, by idempotency key);
//   pull_contacts: the CRM's contacts/updated webhook -> look up what the customer spent on
//                  your platform (asynchronous) -> unknown customers are skipped -> VIP or
//                  regular segment -> save the segment in your platform.
// The program runs both, prints what happened and the integration's Mermaid diagram, and exits
// non-zero if any of its own checks fails.
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/diagram.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cctype>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <string_view>

// --- The CRM, as a connector would describe it -------------------------------------------------
namespace crm {
struct app {
  static constexpr std::string_view name = "crm";
};

struct contact {
  std::string email;
  std::string name;
};

// The CRM's API, reduced to a map. The runtime would hand the real client to the run through the
// run_context; here main() does.
struct client {
  std::map<std::string, contact> contacts;
  std::map<std::string, std::string> writes_by_key;  // idempotency key -> email

  void upsert(const contact& c, const std::string& key) {
    if (writes_by_key.contains(key)) return;  // a retried run: this write already happened
    writes_by_key.emplace(key, c.email);
    contacts[c.email] = c;
  }
};

// A destination: where push_contacts ends.
struct upsert_contact : syncline::destination {
  using app_type = app;
  static constexpr std::string_view name = "upsert_contact";
  using services = syncline::needs<client>;  // engine::install must be given one

  syncline::result<void> operator()(const contact& c, syncline::run_context& ctx) const {
    auto* api = ctx.service<client>();
    if (!api) return syncline::make_error(syncline::errc::unavailable, "no crm::client provided");
    api->upsert(c, ctx.idempotency_key());
    return {};
  }
};

// What the CRM sends on its contacts/updated webhook.
struct contact_updated {
  std::string email;
  std::string name;
};
}  // namespace crm

// --- Your platform ---------------------------------------------------------------------------
struct order_placed {
  std::int64_t id;
  std::string email;
  std::string customer;
  std::int64_t total_cents;  // money is not a double
};

struct customer {
  std::string email;
  std::int64_t spent_cents;
};

struct segment {
  std::string email;
  std::string name;
};

// Your platform's data, reduced to maps.
struct platform_db {
  std::map<std::string, std::int64_t> spent_cents;
  std::map<std::string, std::string> segments;
};

// What each event carries, declared once: a trigger that says otherwise does not compile.
template <>
struct syncline::event_payload<syncline::platform, "order.placed"> {
  using type = order_placed;
};
template <>
struct syncline::event_payload<crm::app, "contacts/updated"> {
  using type = crm::contact_updated;
};

// An asynchronous block: a real one would query your database or API.
struct lookup_spend {
  using app_type = syncline::platform;
  static constexpr std::string_view name = "lookup_spend";
  using services = syncline::needs<platform_db>;

  boost::asio::awaitable<syncline::result<customer>> operator()(crm::contact_updated c,
                                                                syncline::run_context& ctx) const {
    auto* db = ctx.service<platform_db>();
    if (!db) co_return syncline::make_error(syncline::errc::unavailable, "no platform_db provided");
    auto it = db->spent_cents.find(c.email);
    if (it == db->spent_cents.end())
      co_return syncline::make_error(syncline::errc::not_found, "no orders for " + c.email);
    co_return customer{c.email, it->second};
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// --- The integration -------------------------------------------------------------------------
constexpr auto push_contacts = syncline::workflow<"push_contacts">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::filter<"has_email">([](const order_placed& o) { return !o.email.empty(); }) |
    syncline::map<"to_contact">([](const order_placed& o) {
      return crm::contact{lower(o.email), o.customer};
    }) |
    crm::upsert_contact{});

constexpr auto pull_contacts = syncline::workflow<"pull_contacts">(
    syncline::webhook<crm::app, "contacts/updated", crm::contact_updated>{} | lookup_spend{} |
    syncline::recover<"unknown_customer">(
        [](const syncline::error& e) -> syncline::outcome<customer> {
          if (e.category == syncline::errc::not_found) return syncline::skip("not a customer");
          return e;
        }) |
    syncline::branch<"is_vip">([](const customer& c) { return c.spent_cents >= 100'000; },
                               syncline::map<"vip">([](const customer& c) {
                                 return segment{c.email, "vip"};
                               }),
                               syncline::map<"regular">([](const customer& c) {
                                 return segment{c.email, "regular"};
                               })) |
    syncline::to<"save_segment", syncline::needs<platform_db>>(
        [](const segment& s, syncline::run_context& ctx) {
          ctx.service<platform_db>()->segments[s.email] = s.name;
        }));

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push_contacts, pull_contacts);

// Stateless blocks cost nothing: the whole workflow is an empty object.
static_assert(std::is_empty_v<decltype(push_contacts)>);

// --- Running it ------------------------------------------------------------------------------
namespace {
int failures = 0;

void expect(bool ok, std::string_view what) {
  std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
  if (!ok) ++failures;
}

void print(std::string_view what, const syncline::result<syncline::run_ending>& r) {
  std::cout << what << ": ";
  if (!r)
    std::cout << "failed, " << to_string(r.error()) << "\n";
  else if (r->completed())
    std::cout << "completed\n";
  else
    std::cout << "skipped at block " << r->position << " (" << r->block << ")"
              << (r->reason.empty() ? "" : ", ") << r->reason << "\n";
}
}  // namespace

int main() {
  crm::client crm_api;
  platform_db db;
  db.spent_cents = {{"ada@example.com", 250'000}, {"bob@example.com", 4'200}};

  std::cout << "== push_contacts (synchronous: no block waits)\n";
  syncline::run_context first({.tenant = "acme", .run_id = "r-1", .integration = "crm_sync"});
  first.provide(crm_api);
  auto r1 = push_contacts.run_sync(order_placed{1001, "Ada@Example.com", "Ada", 4200}, first);
  print("order 1001", r1);
  // The runtime retries a run with the same run id: the write must not happen twice.
  auto r1_again = push_contacts.run_sync(order_placed{1001, "Ada@Example.com", "Ada", 4200}, first);
  print("order 1001, retried", r1_again);
  syncline::run_context second({.tenant = "acme", .run_id = "r-2", .integration = "crm_sync"});
  second.provide(crm_api);
  auto r2 = push_contacts.run_sync(order_placed{1002, "", "Guest", 999}, second);
  print("order 1002", r2);

  expect(r1 && r1->completed(), "order 1001 completed");
  expect(crm_api.contacts.size() == 1 && crm_api.contacts.contains("ada@example.com"),
         "the CRM holds one contact, ada@example.com");
  expect(crm_api.writes_by_key.size() == 1 && crm_api.writes_by_key.begin()->first ==
                                                  "acme/crm_sync/push_contacts/r-1/upsert_contact",
         "one write, keyed acme/crm_sync/push_contacts/r-1/upsert_contact");
  expect(r2 && r2->was_skipped() && r2->position == 1 && r2->block == "has_email",
         "order 1002 (no email) skipped by has_email at block 1");

  std::cout << "== pull_contacts (asynchronous: lookup_spend waits)\n";
  boost::asio::io_context io;
  syncline::result<syncline::run_ending> ada =
      syncline::make_error(syncline::errc::internal, "not run");
  syncline::result<syncline::run_ending> bob = ada, eve = ada;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        int n = 0;
        for (auto* r : {&ada, &bob, &eve}) {
          static constexpr std::string_view emails[] = {"ada@example.com", "bob@example.com",
                                                        "eve@example.com"};
          syncline::run_context ctx(
              {.tenant = "acme", .run_id = "w-" + std::to_string(n), .integration = "crm_sync"});
          ctx.provide(db);
          // Named first: g++ 12 miscompiles a braced temporary inside a co_await expression.
          crm::contact_updated update{std::string(emails[n]), "?"};
          *r = co_await pull_contacts.run(std::move(update), ctx);
          ++n;
        }
      },
      boost::asio::detached);
  io.run();
  print("ada", ada);
  print("bob", bob);
  print("eve", eve);

  expect(ada && ada->completed() && db.segments["ada@example.com"] == "vip", "ada is a vip");
  expect(bob && bob->completed() && db.segments["bob@example.com"] == "regular",
         "bob is a regular");
  expect(eve && eve->was_skipped() && eve->block == "unknown_customer" &&
             !db.segments.contains("eve@example.com"),
         "eve (no orders) skipped by unknown_customer");

  std::cout << "== crm_sync as a Mermaid diagram\n" << syncline::to_mermaid(crm_sync);

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks FAILED\n");
  return failures == 0 ? 0 : 1;
}
