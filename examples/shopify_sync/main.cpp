// main_example: the seed integration (seed_integration.hpp) end to end, on loopback.
//
// Two shops connect your product (two tenants, each with its own token and client secret).
// Your platform places orders for both (engine.emit -> push_orders -> Shopify), and merchants
// place orders directly in Shopify (-> orders/create webhook -> stream_orders -> your app and
// the warehouse). Once everything is quiet, the program prints what happened and checks that
// the two directions did what they promise. Then merchants edit orders in Shopify, some your
// platform wrote and some they placed (-> orders/updated -> sync_order_updates), while Shopify
// also sends the orders/updated that follows each create of ours (an echo); the program checks
// that the edits, and only they, reached your application once and the warehouse rows. It exits
// non-zero, naming the check, when one fails.
//
//   main_example [--orders N] [--shop-orders N] [--edits N]
#include <syncline/core/diagram.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/store/run.hpp>
#include <syncline_test_support/invariant_checks.hpp>

#include <charconv>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "seed_system.hpp"

namespace {

struct flags {
  int app_orders = 12;  // per shop, placed on your platform
  int shop_orders = 6;  // per shop, placed directly in Shopify
  int edits = 3;        // per shop and kind: app orders whose email, shop orders whose note changes
};

constexpr std::string_view usage =
    "usage: main_example [--orders N] [--shop-orders N] [--edits N]\n"
    "  Runs the shopify_sync seed integration against a local Shopify emulator with two shops,\n"
    "  prints a summary and the integration's Mermaid diagram, and exits non-zero if a check\n"
    "  fails.\n"
    "  --orders N       orders your platform places for each shop (default 12)\n"
    "  --shop-orders N  orders placed directly in each Shopify shop (default 6)\n"
    "  --edits N        per shop, app orders whose email and shop orders whose note a merchant\n"
    "                   then edits in Shopify (default 3; at most as many orders as there are)\n"
    "  --help           this text\n";

bool parse_count(std::string_view text, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 0 || v > 10'000) return false;
  out = v;
  return true;
}

// 0: run; 1: stop with success (--help); 2: bad arguments.
int parse(int argc, char** argv, flags& f) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 1;
    }
    int* target = arg == "--orders"        ? &f.app_orders
                  : arg == "--shop-orders" ? &f.shop_orders
                  : arg == "--edits"       ? &f.edits
                                           : nullptr;
    if (!target || i + 1 >= argc || !parse_count(argv[i + 1], *target)) {
      std::cerr << "main_example: bad argument '" << arg << "'\n" << usage;
      return 2;
    }
    ++i;
  }
  return 0;
}

syncline::testing::invariant_checks check;  // one line per invariant, and the exit code

std::string ids_text(const std::set<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) {
    if (out.size() > 60) return out + ", ...";
    out += (out.empty() ? "" : ", ") + std::to_string(id);
  }
  return out;
}

// Ids in a but not in b.
std::set<std::int64_t> minus(const std::set<std::int64_t>& a, const std::set<std::int64_t>& b) {
  std::set<std::int64_t> out;
  for (auto id : a)
    if (!b.contains(id)) out.insert(id);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  flags f;
  if (int p = parse(argc, argv, f); p != 0) return p == 1 ? 0 : 2;

  // The shops connect as merchants' shops do: through Shopify's OAuth install flow, with
  // expiring tokens (seed_system.hpp).
  seed::seed_options options;
  options.onboard = true;
  seed::seed_system system(options);
  if (auto started = system.start(); !started) {
    std::cerr << to_string(started.error()) << "\n";
    return 1;
  }
  const auto& tenants = system.tenants();
  std::cout << "== shopify_sync: " << tenants.size() << " shops on the emulator at "
            << system.emulator().url() << ", engine at " << system.engine().url() << "\n";

  // Your platform and the merchants at work, interleaved.
  std::int64_t next_platform_id = 5001;
  std::map<std::string, int> emitted;
  for (int i = 0; i < std::max(f.app_orders, f.shop_orders); ++i) {
    for (const auto& t : tenants) {
      if (i < f.app_orders) {
        const seed::platform_order order{
            .id = next_platform_id++,
            .email = "buyer" + std::to_string(i) + "@" + t.id + ".test",
            .item = "Espresso cup",
            .price = *syncline::money::parse("12.50"),
            .quantity = 1 + i % 3};
        if (auto r = system.place_app_order(t, order); !r) {
          std::cerr << "emit failed: " << to_string(r.error()) << "\n";
          return 1;
        }
        ++emitted[t.id];
      }
      if (i < f.shop_orders) {
        auto r = system.place_shop_order(t, "walk-in" + std::to_string(i) + "@example.com",
                                         "Gift card", "25.00");
        if (!r) {
          std::cerr << "order in Shopify failed: " << to_string(r.error()) << "\n";
          return 1;
        }
      }
    }
  }
  const bool quiet = system.wait_until_quiet();

  // What each side holds now.
  auto rows = system.warehouse_rows();
  if (!rows) {
    std::cerr << "cannot read the warehouse: " << to_string(rows.error()) << "\n";
    return 1;
  }
  const auto streamed = system.receiver().records();
  const auto receiver_counts = system.receiver().counts();
  auto dead = system.engine().dead_letters({}, 1000);
  const auto& metrics = system.engine().metrics();

  std::cout << "\n== summary\n";
  std::cout << std::left << std::setw(26) << "shop" << std::right << std::setw(9) << "emitted"
            << std::setw(9) << "in shop" << std::setw(7) << "(app" << std::setw(10) << "merchant)"
            << std::setw(10) << "webhooks" << std::setw(8) << "echoes" << std::setw(10)
            << "streamed" << std::setw(11) << "warehouse"
            << "\n";

  struct tenant_view {
    std::set<std::int64_t> shop_all, shop_app, shop_merchant, warehouse, streamed;
    std::map<std::int64_t, int> streamed_times;
    std::size_t webhook_runs = 0, echoes = 0, push_runs = 0, foreign_rows = 0, foreign_streamed = 0;
    std::size_t streamed_platform_orders = 0;
  };
  std::map<std::string, tenant_view> views;
  for (const auto& t : tenants) {
    auto& v = views[t.id];
    for (const auto& o : system.emulator().orders(t.domain)) {
      const auto id = o.at("id").to_number<std::int64_t>();
      v.shop_all.insert(id);
      const auto* sid = o.if_contains("source_identifier");
      const bool mine = sid && sid->is_string() && sid->as_string().starts_with("platform-");
      (mine ? v.shop_app : v.shop_merchant).insert(id);
    }
    for (const auto& r : *rows)
      if (r.tenant == t.id) v.warehouse.insert(r.id);
    for (const auto& s : streamed) {
      if (s.tenant != t.id || s.stream != "orders") continue;
      v.streamed.insert(s.order_id);
      ++v.streamed_times[s.order_id];
      if (seed::made_by_platform(s.source_identifier)) ++v.streamed_platform_orders;
    }
    auto stream_runs = system.runs_of(t, "stream_orders");
    auto push_runs = system.runs_of(t, "push_orders");
    if (!stream_runs || !push_runs) {
      std::cerr << "cannot read the run log: "
                << to_string(stream_runs ? push_runs.error() : stream_runs.error()) << "\n";
      return 1;
    }
    v.webhook_runs = stream_runs->size();
    for (const auto& r : *stream_runs)
      if (r.status == syncline::store::run_status::skipped) ++v.echoes;
    v.push_runs = push_runs->size();
    std::cout << std::left << std::setw(26) << t.id << std::right << std::setw(9) << emitted[t.id]
              << std::setw(9) << v.shop_all.size() << std::setw(7) << v.shop_app.size()
              << std::setw(10) << v.shop_merchant.size() << std::setw(10) << v.webhook_runs
              << std::setw(8) << v.echoes << std::setw(10) << v.streamed.size() << std::setw(11)
              << v.warehouse.size() << "\n";
  }
  std::cout << "webhooks accepted by the engine: "
            << metrics.accepted_count(syncline::trigger_kind::webhook)
            << " (duplicates dropped: " << metrics.duplicate_count(syncline::trigger_kind::webhook)
            << "); app events: " << metrics.accepted_count(syncline::trigger_kind::app_event)
            << "\n";
  std::cout << "records streamed, verified by the receiver: " << receiver_counts.accepted
            << " (repeats dropped: " << receiver_counts.repeats
            << ", refused: " << receiver_counts.rejected << ")\n";
  std::cout << "warehouse rows: " << rows->size()
            << "; dead-lettered runs: " << (dead ? std::to_string(dead->size()) : "?") << "\n";

  std::cout << "\n== checks\n";
  check(quiet, "the system became quiet (no queued runs, no pending webhooks) within 20 s");
  check(dead && dead->empty(), "no run was dead-lettered",
        dead && !dead->empty() ? dead->front().workflow + ": " + dead->front().last_error : "");
  check(receiver_counts.rejected == 0, "the receiver verified every request it got");
  std::size_t row_count = 0;
  for (const auto& t : tenants) {
    const auto& v = views[t.id];
    const std::string who = t.id + ": ";
    row_count += v.warehouse.size();
    check(v.push_runs == static_cast<std::size_t>(emitted[t.id]) &&
              v.shop_app.size() == static_cast<std::size_t>(emitted[t.id]),
          who + "each app event made one order in Shopify",
          std::to_string(emitted[t.id]) + " emitted, " + std::to_string(v.push_runs) + " runs, " +
              std::to_string(v.shop_app.size()) + " orders");
    check(v.warehouse == v.shop_all, who + "every Shopify order is in the warehouse, once",
          "missing: " + ids_text(minus(v.shop_all, v.warehouse)) +
              "; extra: " + ids_text(minus(v.warehouse, v.shop_all)));
    bool once = true;
    for (const auto& [id, n] : v.streamed_times) once = once && n == 1;
    check(v.streamed == v.shop_merchant && once,
          who + "every order placed in Shopify was streamed exactly once",
          "not streamed: " + ids_text(minus(v.shop_merchant, v.streamed)) +
              "; unexpected: " + ids_text(minus(v.streamed, v.shop_merchant)));
    check(v.echoes == v.shop_app.size() && v.streamed_platform_orders == 0 &&
              v.webhook_runs == v.shop_all.size(),
          who + "no echo loop: each order push_orders wrote came back once and was skipped",
          std::to_string(v.echoes) + " echoes skipped for " + std::to_string(v.shop_app.size()) +
              " app orders; " + std::to_string(v.streamed_platform_orders) +
              " app orders streamed");
    for (const auto& other : tenants) {
      if (other.id == t.id) continue;
      const auto& o = views[other.id];
      bool leak = false;
      for (auto id : v.warehouse) leak = leak || o.shop_all.contains(id);
      for (auto id : v.streamed) leak = leak || o.shop_all.contains(id);
      check(!leak, who + "no data of " + other.id + " in its rows or stream");
    }
  }
  check(row_count == rows->size(), "every warehouse row belongs to an installed tenant");

  // Tokens expire (every 4 s here, every hour on Shopify) and are refreshed while the system
  // runs; then the engine restarts, and the new one serves both shops from its store.
  std::cout << "\n== the engine restarts\n";
  bool refreshed = false;
  for (int i = 0; i < 200 && !refreshed; ++i) {
    refreshed = true;
    for (const auto& t : tenants) refreshed = refreshed && system.token_refreshes(t) > 0;
    if (!refreshed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& t : tenants)
    std::cout << t.id << ": token refreshed " << system.token_refreshes(t) << " times\n";
  auto restored = system.restart_engine();
  std::cout << "restarted engine at " << system.engine().url() << ": "
            << (restored ? std::to_string(*restored) + " shops restored from its store"
                         : to_string(restored.error()))
            << "\n";
  check(refreshed, "each shop's expiring token was refreshed while the system ran");
  check(restored && *restored == tenants.size(),
        "the restarted engine serves every shop from its store: nothing was supplied again");

  // Merchants at work in Shopify. Shopify first sends the orders/updated that follows each create
  // of ours (the echo of push_orders' write, which must reach no one); then merchants change the
  // email of some orders your platform wrote and the note of some orders placed in Shopify (real
  // edits, which must reach your application once and the warehouse row).
  std::cout << "\n== merchants edit orders in Shopify\n";
  struct edit_view {
    std::map<std::int64_t, std::string> new_email, new_note;  // order id -> value written
    std::size_t echoes_sent = 0;
  };
  std::map<std::string, edit_view> edits;
  for (const auto& t : tenants) {
    auto& e = edits[t.id];
    const auto& v = views[t.id];
    for (auto id : v.shop_app) {
      if (auto r = system.send_update_after_create(t, id); !r) {
        std::cerr << "orders/updated after create failed: " << to_string(r.error()) << "\n";
        return 1;
      }
      ++e.echoes_sent;
    }
    for (auto id : v.shop_app) {
      if (static_cast<int>(e.new_email.size()) >= f.edits) break;
      const std::string email = "changed-" + std::to_string(id) + "@" + t.id + ".test";
      if (auto r = system.edit_shop_order(t, id, {{"email", email}}); !r) {
        std::cerr << "edit in Shopify failed: " << to_string(r.error()) << "\n";
        return 1;
      }
      e.new_email[id] = email;
    }
    for (auto id : v.shop_merchant) {
      if (static_cast<int>(e.new_note.size()) >= f.edits) break;
      const std::string note = "Leave at the back door (" + std::to_string(id) + ")";
      if (auto r = system.edit_shop_order(t, id, {{"note", note}}); !r) {
        std::cerr << "edit in Shopify failed: " << to_string(r.error()) << "\n";
        return 1;
      }
      e.new_note[id] = note;
    }
  }
  const bool quiet_after_edits = system.wait_until_quiet();

  auto edited_rows = system.warehouse_rows();
  if (!edited_rows) {
    std::cerr << "cannot read the warehouse: " << to_string(edited_rows.error()) << "\n";
    return 1;
  }
  const auto all_streamed = system.receiver().records();
  auto dead_after_edits = system.engine().dead_letters({}, 1000);

  std::cout << std::left << std::setw(26) << "shop" << std::right << std::setw(14) << "echoes sent"
            << std::setw(8) << "edits" << std::setw(12) << "update runs" << std::setw(9)
            << "skipped" << std::setw(10) << "streamed" << std::setw(14) << "rows current"
            << "\n";
  struct update_result {
    std::size_t runs = 0, skipped = 0, succeeded = 0, rows_current = 0;
    std::map<std::int64_t, int> streamed_times;  // order id -> update records received
    std::set<std::int64_t> streamed_wrong;       // update records that did not carry the edit
  };
  std::map<std::string, update_result> updates;
  for (const auto& t : tenants) {
    const auto& e = edits[t.id];
    auto& u = updates[t.id];
    auto runs = system.runs_of(t, "sync_order_updates");
    if (!runs) {
      std::cerr << "cannot read the run log: " << to_string(runs.error()) << "\n";
      return 1;
    }
    u.runs = runs->size();
    for (const auto& r : *runs) {
      if (r.status == syncline::store::run_status::skipped) ++u.skipped;
      if (r.status == syncline::store::run_status::succeeded) ++u.succeeded;
    }
    for (const auto& s : all_streamed) {
      if (s.tenant != t.id || s.stream != "order_updates") continue;
      ++u.streamed_times[s.order_id];
      const auto email = e.new_email.find(s.order_id);
      const auto note = e.new_note.find(s.order_id);
      const bool carries_edit = (email != e.new_email.end() && s.email == email->second) ||
                                (note != e.new_note.end() && s.note == note->second);
      if (!carries_edit) u.streamed_wrong.insert(s.order_id);
    }
    // A row is current when it holds the order's values and Shopify's updated_at as they are now.
    for (const auto& o : system.emulator().orders(t.domain)) {
      const auto id = o.at("id").to_number<std::int64_t>();
      for (const auto& r : *edited_rows) {
        if (r.id != id || r.tenant != t.id) continue;
        const auto* note = o.if_contains("note");
        const std::optional<std::string> shop_note =
            note && note->is_string() ? std::optional<std::string>(note->as_string())
                                      : std::nullopt;
        // Compared as instants: a row push_orders wrote holds the create answer's text, which
        // may spell the same instant at another offset than the webhook does.
        auto row_time = syncline::timestamp::parse(r.updated_at);
        auto shop_time = syncline::timestamp::parse(o.at("updated_at").as_string());
        if (r.email == std::string(o.at("email").as_string()) && r.note == shop_note && row_time &&
            shop_time && *row_time == *shop_time)
          ++u.rows_current;
      }
    }
    std::cout << std::left << std::setw(26) << t.id << std::right << std::setw(14) << e.echoes_sent
              << std::setw(8) << e.new_email.size() + e.new_note.size() << std::setw(12) << u.runs
              << std::setw(9) << u.skipped << std::setw(10) << u.streamed_times.size()
              << std::setw(14) << u.rows_current << "\n";
  }

  std::cout << "\n== checks after the edits\n";
  check(quiet_after_edits, "the system became quiet again within 20 s");
  check(dead_after_edits && dead_after_edits->empty(), "no run was dead-lettered",
        dead_after_edits && !dead_after_edits->empty()
            ? dead_after_edits->front().workflow + ": " + dead_after_edits->front().last_error
            : "");
  check(system.receiver().counts().rejected == 0, "the receiver verified every request it got");
  for (const auto& t : tenants) {
    const auto& e = edits[t.id];
    const auto& u = updates[t.id];
    const auto& v = views[t.id];
    const std::string who = t.id + ": ";
    const std::size_t edit_count = e.new_email.size() + e.new_note.size();
    std::set<std::int64_t> edited_ids;
    for (const auto& [id, value] : e.new_email) edited_ids.insert(id);
    for (const auto& [id, value] : e.new_note) edited_ids.insert(id);
    std::set<std::int64_t> streamed_ids;
    bool once = true;
    for (const auto& [id, n] : u.streamed_times) {
      streamed_ids.insert(id);
      once = once && n == 1;
    }
    check(streamed_ids == edited_ids && once && u.streamed_wrong.empty(),
          who + "your application got each edit exactly once, with the edited value",
          "not streamed: " + ids_text(minus(edited_ids, streamed_ids)) +
              "; unexpected: " + ids_text(minus(streamed_ids, edited_ids)) +
              "; without the edit: " + ids_text(u.streamed_wrong));
    check(u.skipped == e.echoes_sent && u.succeeded == edit_count &&
              u.runs == e.echoes_sent + edit_count,
          who + "each echo of push_orders' writes was skipped, each edit ran once",
          std::to_string(u.runs) + " runs: " + std::to_string(u.skipped) + " skipped of " +
              std::to_string(e.echoes_sent) + " echoes, " + std::to_string(u.succeeded) +
              " succeeded of " + std::to_string(edit_count) + " edits");
    std::set<std::int64_t> row_ids;
    for (const auto& r : *edited_rows)
      if (r.tenant == t.id) row_ids.insert(r.id);
    check(row_ids == v.shop_all && u.rows_current == v.shop_all.size(),
          who + "the warehouse has each order once, with the edits and Shopify's updated_at",
          std::to_string(u.rows_current) + " of " + std::to_string(v.shop_all.size()) +
              " rows current; missing: " + ids_text(minus(v.shop_all, row_ids)) +
              "; extra: " + ids_text(minus(row_ids, v.shop_all)));
  }

  // A merchant uninstalls the app; 48 hours later Shopify asks for the shop's data to be erased.
  // The other shop keeps syncing.
  const auto& gone = tenants.back();
  const auto& stays = tenants.front();
  std::cout << "\n== " << gone.id << " uninstalls the app\n";
  auto uninstalled = system.uninstall(gone);
  if (!uninstalled) std::cerr << "uninstall: " << to_string(uninstalled.error()) << "\n";
  auto sold = system.place_shop_order(stays, "after-uninstall@example.com", "Tea", "9.00");
  const bool quiet_at_end = system.wait_until_quiet();
  auto final_rows = system.warehouse_rows();
  auto gone_runs = system.runs_of(gone, "stream_orders");
  std::size_t gone_rows = 0, stays_has_new = 0;
  if (final_rows) {
    for (const auto& r : *final_rows) {
      if (r.tenant == gone.id) ++gone_rows;
      if (sold && r.tenant == stays.id && r.id == sold->at("id").to_number<std::int64_t>())
        ++stays_has_new;
    }
  }
  std::cout << gone.id << ": installed " << (system.installed(gone) ? "yes" : "no")
            << ", warehouse rows " << gone_rows << ", runs "
            << (gone_runs ? std::to_string(gone_runs->size()) : "?") << "\n";
  check(uninstalled.has_value(), "app/uninstalled and shop/redact were handled");
  check(!system.installed(gone), gone.id + ": its installation and credentials are gone");
  check(final_rows && gone_rows == 0 && gone_runs && gone_runs->empty(),
        gone.id + ": its warehouse rows and runs are erased");
  check(quiet_at_end && sold && stays_has_new == 1,
        stays.id + ": keeps syncing (an order placed after the uninstall reached the warehouse)");

  std::cout << "\n== shopify_sync as a Mermaid diagram\n"
            << syncline::to_mermaid(seed::shopify_sync);
  return check.verdict();
}
