// leader_death: scale_out's --poll scenario. The engines (order_poll.hpp) poll one shop's orders
// from a Shopify emulator that runs here, in the coordinator, while a buyer keeps placing orders;
// every --kill-every seconds the coordinator SIGKILLs the engine that leads the poll (the
// process that committed the newest page), waits until another process commits a page, and
// starts the killed one again. Then it checks:
//   - after each kill another process took the poll over within a bound derived from the
//     options (leader_check + one poll interval; printed, asserted with slack);
//   - every order placed has exactly one run of the poll and one row in the table: no page
//     skipped, none queued twice (the poll has no dedupe_key that could hide a repeat);
//   - in queue order the orders' ids only increase, and each process's pages form one unbroken
//     stretch: two processes never advanced the cursor at once;
//   - no run dead-lettered, none unfinished.
// A page that the killed leader fetched but had not committed is fetched again by the next one:
// that is not a repeat, because a page's runs and its cursor commit in one transaction
// (store::enqueue_with_cursor), so the first fetch left nothing behind.
#pragma once

#include <syncline/json/decode.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline/testing/shopify_emulator.hpp>
#include <syncline_test_support/invariant_checks.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine_fleet.hpp"
#include "order_poll.hpp"

namespace scale_out {

struct leader_death_options {
  std::size_t engines = 3;
  std::chrono::seconds duration{12};   // orders are placed this long
  std::chrono::seconds kill_every{3};  // between a takeover and the next kill
  std::size_t backlog = 200;           // orders in the shop before the engines start
  std::chrono::milliseconds order_every{50};
};

// A buyer placing orders in the emulated shop, on a thread of its own (a new leader must find
// new orders to show that it polls).
class order_feed {
 public:
  explicit order_feed(syncline::testing::shopify_emulator& emu) : emu_(emu) {}
  order_feed(const order_feed&) = delete;
  order_feed& operator=(const order_feed&) = delete;
  ~order_feed() { stop(); }

  void place(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) place_one();
  }
  void start(std::chrono::milliseconds every) {
    thread_ = std::thread([this, every] {
      while (!stopping_) {
        place_one();
        std::this_thread::sleep_for(every);
      }
    });
  }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::set<std::int64_t> placed() const {
    std::lock_guard lock(m_);
    return placed_;
  }
  std::size_t failures() const {
    std::lock_guard lock(m_);
    return failures_;
  }

 private:
  void place_one() {
    boost::json::object order{
        {"email", "buyer@example.com"},
        {"line_items", boost::json::array{boost::json::object{
                           {"title", "Mug"}, {"price", "12.50"}, {"quantity", 1}}}}};
    auto created = emu_.create_order(poll_shop_domain, std::move(order));
    std::lock_guard lock(m_);
    if (created && created->contains("id") && created->at("id").is_number())
      placed_.insert(created->at("id").to_number<std::int64_t>());
    else
      ++failures_;
  }

  syncline::testing::shopify_emulator& emu_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex m_;
  std::set<std::int64_t> placed_;
  std::size_t failures_ = 0;
};

// One run of the poll, as the queue holds it.
struct polled_run {
  std::int64_t run_id = 0;
  polled_order item;
};

// Every run of the poll workflow, oldest first; runs whose payload does not decode are counted.
struct polled_runs {
  std::vector<polled_run> runs;
  std::size_t undecodable = 0;
};

inline syncline::result<polled_runs> read_polled_runs(syncline::store::store& store,
                                                      std::size_t limit = 0) {
  polled_runs out;
  syncline::store::run_query q{.filter = {.workflow = std::string(record_polled.name)},
                               .limit = limit ? limit : 1000,
                               .with_payload = true};
  for (;;) {
    auto page = store.query_runs(q);
    if (!page) return std::move(page).error();
    for (const auto& r : *page) {
      auto item = syncline::json::decode<polled_order>(r.payload);
      if (item)
        out.runs.push_back({r.id, *item});
      else
        ++out.undecodable;
    }
    if (limit || page->size() < q.limit) break;
    q.before_id = page->back().id;
  }
  std::ranges::sort(out.runs, {}, &polled_run::run_id);
  return out;
}

// The newest page's run: which process committed the newest page (the leader, unless it just
// died).
inline std::optional<polled_run> newest_polled(syncline::store::store& store) {
  auto r = read_polled_runs(store, 1);
  if (!r || r->runs.empty()) return std::nullopt;
  return r->runs.back();
}

struct takeover {
  long killed = 0;
  long by = 0;  // 0: nobody took over in time
  std::chrono::milliseconds after{0};
};

// The scenario on a running PostgreSQL at `conninfo`; answers the exit code.
inline int run_leader_death(const leader_death_options& o, const std::string& conninfo) {
  using namespace std::chrono_literals;
  using ms = std::chrono::milliseconds;
  syncline::testing::invariant_checks check;
  const auto began = steady::now();
  const std::string token = random_secret("shpat_");
  ::setenv(access_token_variable, token.c_str(), 1);  // for the children

  {  // The destination table, made once before the engines start.
    syncline::http::io_threads io(1);
    auto sink = polled_orders_sink::open(io.executor(), syncline::secret(conninfo));
    auto created = sink ? sink->create_table() : syncline::result<void>(sink.error());
    if (!created) {
      std::cout << "cannot create the table: " << created.error().message << "\n";
      return 1;
    }
  }

  syncline::http::io_threads emulator_io(2);
  syncline::testing::shopify_emulator_options eo;
  syncline::testing::emulated_shop shop;
  shop.domain = poll_shop_domain;
  shop.access_tokens = {syncline::secret(token)};
  shop.client_secret = syncline::secret(random_secret("shpat_"));
  shop.plan = poll_shop_plan();
  eo.shops = {std::move(shop)};
  syncline::testing::shopify_emulator emu(emulator_io.executor(), eo);
  if (auto r = emu.start(); !r) {
    std::cout << "the Shopify emulator did not start: " << r.error().message << "\n";
    return 1;
  }
  order_feed feed(emu);
  feed.place(o.backlog);

  engine_fleet fleet({"--poll-engine", conninfo, emu.url()}, o.engines);
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    if (!fleet.start(i)) {
      std::cout << "engine " << i << " did not start\n";
      return 1;
    }
  }
  // Named options, not open()'s default argument: g++ 12 at -O3 takes that temporary's
  // std::function for uninitialized (-Wmaybe-uninitialized, a false positive; Release fails).
  const syncline::store::postgres_store_options store_options;
  auto store = syncline::store::postgres_store::open(conninfo, store_options);
  if (!store) {
    std::cout << "cannot open the store: " << store.error().message << "\n";
    return 1;
  }
  // What a takeover may take, from the options: the dead leader's session ends with its process
  // (the kernel closes its socket, the server frees its locks at once); each other engine asks
  // for the role every leader_check and, once it has it, polls at once; if the dead leader's
  // last commit landed after the new one read the cursor, the new one's page is fenced off and
  // it polls again one interval later.
  const ms poll_interval = 1s;  // new_orders: "@every 1s"
  const ms bound = leader_check + poll_interval;
  const ms asserted = 3 * bound;  // slack for a loaded machine and the sanitizer build
  std::cout << "== scale_out --poll: PostgreSQL " << conninfo.substr(0, conninfo.find(" user"))
            << ", Shopify emulator " << emu.url() << ", " << o.engines << " engines, " << o.backlog
            << " orders waiting, one more every " << o.order_every.count() << " ms for "
            << o.duration.count() << " s, the leader SIGKILLed every " << o.kill_every.count()
            << " s\n";
  feed.start(o.order_every);

  // Kills happen on this thread: a child dies with the thread that forked it (PR_SET_PDEATHSIG).
  std::vector<takeover> takeovers;
  int failed_restarts = 0, leaderless_kills = 0;
  const auto load_end = steady::now() + o.duration;
  auto next_kill = steady::now() + o.kill_every;
  while (steady::now() < load_end) {
    std::this_thread::sleep_for(50ms);
    if (steady::now() < next_kill) continue;
    const auto before = newest_polled(**store);
    const auto slot = before ? fleet.slot_of(before->item.polled_by) : std::nullopt;
    if (!slot) {  // no page yet, or its process is gone: no leader to kill now
      ++leaderless_kills;
      next_kill = steady::now() + 1s;
      continue;
    }
    const long killed = fleet.kill(*slot);
    const auto killed_at = steady::now();
    takeover t{killed, 0, 0ms};
    // Taken over: a page committed later than the dead leader's newest, by another process.
    while (steady::now() - killed_at < 30s) {
      const auto now = newest_polled(**store);
      if (now && now->run_id > before->run_id && now->item.polled_by != killed) {
        t.by = static_cast<long>(now->item.polled_by);
        t.after = std::chrono::duration_cast<ms>(steady::now() - killed_at);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    takeovers.push_back(t);
    std::cout << "  killed the leader, engine " << *slot << " (pid " << killed << "); "
              << (t.by ? "pid " + std::to_string(t.by) + " committed a page " +
                             std::to_string(t.after.count()) + " ms later"
                       : std::string("nobody took over within 30 s"))
              << "\n";
    if (!fleet.start(*slot)) ++failed_restarts;
    next_kill = steady::now() + o.kill_every;
  }
  feed.stop();
  const std::set<std::int64_t> placed = feed.placed();

  // Drained: every placed order queued (the leader reaches the end of the listing) and run.
  syncline::result<polled_runs> runs = polled_runs{};
  std::optional<syncline::store::run_counts> counts;
  for (const auto drain_end = steady::now() + 30s; steady::now() < drain_end;) {
    runs = read_polled_runs(**store);
    auto c = (*store)->counts();
    if (c) counts = *c;
    std::set<std::int64_t> queued;
    if (runs)
      for (const auto& r : runs->runs) queued.insert(r.item.order_id);
    // Every order placed has a run (compared as sets: a repeated page must not end the wait).
    if (std::ranges::includes(queued, placed) && counts && counts->unfinished() == 0) break;
    std::this_thread::sleep_for(200ms);
  }
  const std::vector<long> crashed = fleet.ended();
  fleet.kill_all();

  // Rows of the table: order id -> how many.
  std::map<std::int64_t, int> rows;
  std::string rows_error;
  if (auto db = syncline::postgres::connection::connect(syncline::secret(conninfo)); !db) {
    rows_error = db.error().message;
  } else if (auto r =
                 db->exec("SELECT order_id::text, count(*)::text FROM polled_orders GROUP BY 1");
             !r) {
    rows_error = r.error().message;
  } else {
    for (int row = 0; row < PQntuples(r->get()); ++row)
      rows[std::stoll(PQgetvalue(r->get(), row, 0))] = std::stoi(PQgetvalue(r->get(), row, 1));
  }

  // The runs against the orders placed, and the order in which pages were queued.
  std::map<std::int64_t, int> runs_of;
  std::vector<std::int64_t> out_of_order;
  std::vector<long> stretches;  // the committing process of each unbroken stretch of pages
  if (runs) {
    std::int64_t last = 0;
    for (const auto& r : runs->runs) {
      ++runs_of[r.item.order_id];
      if (r.item.order_id <= last) out_of_order.push_back(r.item.order_id);
      last = std::max(last, r.item.order_id);
      if (stretches.empty() || stretches.back() != r.item.polled_by)
        stretches.push_back(static_cast<long>(r.item.polled_by));
    }
  }
  std::vector<std::int64_t> missing, twice, unplaced, missing_rows, two_rows, unplaced_rows;
  for (auto id : placed) {
    if (!runs_of.contains(id)) missing.push_back(id);
    if (!rows.contains(id)) missing_rows.push_back(id);
  }
  for (const auto& [id, n] : runs_of) {
    if (n > 1) twice.push_back(id);
    if (!placed.contains(id)) unplaced.push_back(id);
  }
  for (const auto& [id, n] : rows) {
    if (n > 1) two_rows.push_back(id);
    if (!placed.contains(id)) unplaced_rows.push_back(id);
  }
  std::map<long, int> stretches_of;
  std::vector<long> split;  // processes whose pages are not one unbroken stretch
  for (long pid : stretches)
    if (++stretches_of[pid] == 2) split.push_back(pid);
  ms slowest{0};
  int not_taken = 0;
  for (const auto& t : takeovers) {
    if (!t.by) ++not_taken;
    slowest = std::max(slowest, t.after);
  }

  const auto seconds = std::chrono::duration_cast<ms>(steady::now() - began).count() / 1000.0;
  std::cout << "\n== summary\n"
            << "orders placed " << placed.size() << " (" << feed.failures() << " failed), runs of "
            << "the poll " << (runs ? runs->runs.size() : 0) << ", pages ~"
            << (runs ? (runs->runs.size() + orders_per_page - 1) / orders_per_page : 0) << ", rows "
            << rows.size() << "\n"
            << "leader kills " << takeovers.size() << ", stretches of pages by one process "
            << stretches.size() << ", slowest takeover " << slowest.count() << " ms (bound "
            << bound.count() << " ms = leader_check " << leader_check.count()
            << " ms + one poll interval " << poll_interval.count() << " ms; asserted below "
            << asserted.count() << " ms)\n";
  if (counts)
    std::cout << "runs: " << counts->succeeded << " succeeded, " << counts->dead << " dead, "
              << counts->unfinished() << " unfinished\n";
  std::cout << "duration " << seconds << " s\n";

  std::cout << "\n== checks\n";
  check(feed.failures() == 0, "every order was placed in the emulated shop",
        std::to_string(feed.failures()) + " failed");
  check(!takeovers.empty(), "the leader was killed at least once",
        std::to_string(leaderless_kills) + " times no leader was found");
  check(failed_restarts == 0, "every killed engine started again",
        std::to_string(failed_restarts) + " did not");
  check(crashed.empty(), "no engine process ended but those killed",
        std::to_string(crashed.size()) + " ended");
  check(not_taken == 0, "after each kill another process committed a page",
        std::to_string(not_taken) + " kills without a takeover");
  check(slowest <= asserted, "each takeover came within the bound (with slack)",
        std::to_string(slowest.count()) + " ms");
  if (!runs) {
    check(false, "the runs can be read", runs.error().message);
  } else {
    check(runs->undecodable == 0, "every run's payload decodes",
          std::to_string(runs->undecodable) + " do not");
    check(missing.empty(), "every order placed was queued (no page skipped)",
          "missing: " + check.sample(missing));
    check(twice.empty(), "no order was queued twice (no page repeated)",
          "twice: " + check.sample(twice));
    check(unplaced.empty(), "no run of an order never placed", check.sample(unplaced));
    check(out_of_order.empty(), "in queue order the orders' ids only increase",
          "out of order: " + check.sample(out_of_order));
    check(split.empty() && stretches.size() == takeovers.size() + 1,
          "one process at a time: each leader's pages are one stretch, one leader per kill",
          std::to_string(stretches.size()) + " stretches for " + std::to_string(takeovers.size()) +
              " kills, " + std::to_string(split.size()) + " processes in more than one");
  }
  if (!rows_error.empty()) {
    check(false, "the table can be read", rows_error);
  } else {
    check(missing_rows.empty(), "every order placed is in the table",
          "missing: " + check.sample(missing_rows));
    check(two_rows.empty(), "no order has two rows", "twice: " + check.sample(two_rows));
    check(unplaced_rows.empty(), "no row of an order never placed", check.sample(unplaced_rows));
  }
  check(counts && counts->unfinished() == 0, "no unfinished run",
        counts ? std::to_string(counts->unfinished()) + " left" : "no counts");
  check(counts && counts->dead == 0, "no run was dead-lettered",
        counts ? std::to_string(counts->dead) + " dead" : "no counts");
  emu.stop();
  return check.verdict();
}

}  // namespace scale_out
