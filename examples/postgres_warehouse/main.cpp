// postgres_warehouse: a workflow whose destination is a PostgreSQL warehouse table.
//   orders_to_warehouse: your platform emits order.placed -> map it to a row -> upsert the row
//                        into the table "orders", keyed by the order id.
// The program starts a throwaway PostgreSQL server (testing::postgres_server: a fresh cluster
// in a temporary directory, on a free loopback port, removed at exit), runs the workflow for two
// orders, delivers the first run a second time (what the runtime does after a crash or a lost
// answer) and then an edit of the first order, prints the table and checks that the replay
// added nothing and the edit replaced the row. It exits non-zero if a check fails, and with 77
// (CTest's "skipped") when PostgreSQL is not installed.
#include <syncline/blocks/map.hpp>
#include <syncline/connectors/warehouse/postgres_sink.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/postgres/connection.hpp>
#include <syncline_test_support/postgres_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/describe/class.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace wh = syncline::warehouse;

// --- Your platform's event, and the row it becomes ------------------------------------------
struct order_placed {
  std::uint64_t id;
  std::string number;
  std::string email;
  std::int64_t total_cents;  // money is not a double
};

struct order_row {
  std::uint64_t id = 0;
  std::string number;
  std::string email;
  std::int64_t total_cents = 0;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, number, email, total_cents))

// The table: its columns are order_row's described members; writes upsert on "id".
using orders = wh::table<order_row, "orders", wh::key<"id">>;
using orders_sink = wh::postgres_sink<orders>;

constexpr auto orders_to_warehouse = syncline::workflow<"orders_to_warehouse">(
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_row">([](const order_placed& o) {
      return order_row{o.id, o.number, o.email, o.total_cents};
    }) |
    wh::write_to<orders_sink>{});

// --- Running it ------------------------------------------------------------------------------
namespace {
int failures = 0;

void expect(bool ok, std::string_view what) {
  std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
  if (!ok) ++failures;
}

// The table as text rows, read with a plain connection of our own.
std::vector<std::vector<std::string>> table_rows(const syncline::secret& conninfo) {
  std::vector<std::vector<std::string>> out;
  auto db = syncline::postgres::connection::connect(conninfo);
  if (!db) {
    std::cout << "  cannot read the table: " << db.error().message << "\n";
    return out;
  }
  auto r = db->exec("SELECT id::text, number, email, total_cents::text FROM orders ORDER BY id");
  if (!r) {
    std::cout << "  cannot read the table: " << r.error().message << "\n";
    return out;
  }
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    std::vector<std::string>& cells = out.emplace_back();
    for (int col = 0; col < PQnfields(r->get()); ++col)
      cells.emplace_back(PQgetvalue(r->get(), row, col));
  }
  return out;
}
}  // namespace

int main() {
  auto server = syncline::testing::postgres_server::start();
  if (!server && server.error().category == syncline::errc::not_found) {
    std::cout << "skipped: " << server.error().message << "\n";
    return 77;
  }
  if (!server) {
    std::cout << "PostgreSQL did not start: " << server.error().message << "\n";
    return 1;
  }
  const syncline::secret conninfo(server->connection_string());

  struct delivery {
    const char* run_id;
    order_placed event;
  };
  const std::vector<delivery> deliveries{
      {"r-1", {820982911946154508ULL, "#1001", "ada@example.com", 4200}},
      {"r-2", {820982911946154509ULL, "#1002", "bob@example.com", 999}},
      {"r-1", {820982911946154508ULL, "#1001", "ada@example.com", 4200}},  // r-1 delivered again
      {"r-3", {820982911946154508ULL, "#1001", "ada@example.com", 5100}},  // order 1001 edited
  };

  boost::asio::io_context io;
  std::vector<syncline::result<syncline::run_ending>> outcomes;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        // At start-up: one sink (one connection, one group commit) for every run.
        auto sink = orders_sink::open(io.get_executor(), conninfo);
        if (!sink) {
          std::cout << "cannot connect the sink: " << sink.error().message << "\n";
          co_return;
        }
        if (auto created = sink->create_table(); !created) {
          std::cout << "cannot create the table: " << created.error().message << "\n";
          co_return;
        }
        for (const delivery& d : deliveries) {
          syncline::run_context ctx({.tenant = "acme", .run_id = d.run_id, .integration = "shop"});
          ctx.provide(*sink);
          order_placed event = d.event;  // named: see docs/concepts.md, "Known limits"
          auto outcome = co_await orders_to_warehouse.run(std::move(event), ctx);
          std::cout << "run " << d.run_id << " (order " << d.event.number
                    << "): " << (outcome ? "completed" : "failed, " + outcome.error().message)
                    << "\n";
          outcomes.push_back(std::move(outcome));
        }
      },
      boost::asio::detached);
  io.run();

  std::cout << "== table orders\n";
  const auto rows = table_rows(conninfo);
  for (const auto& row : rows) {
    std::cout << "  " << row[0] << " | " << row[1] << " | " << row[2] << " | " << row[3] << "\n";
  }

  bool all_completed = outcomes.size() == deliveries.size();
  for (const auto& o : outcomes) all_completed = all_completed && o && o->completed();
  expect(all_completed, "all four runs completed");
  expect(rows.size() == 2, "two orders, two rows: the replayed run r-1 added none");
  expect(rows.size() == 2 && rows[0] == std::vector<std::string>{"820982911946154508", "#1001",
                                                                 "ada@example.com", "5100"},
         "order 1001 holds its latest total (the edit replaced the row); its id is exact");
  expect(rows.size() == 2 && rows[1][3] == "999", "order 1002 is unchanged");

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks FAILED\n");
  return failures == 0 ? 0 : 1;
}
