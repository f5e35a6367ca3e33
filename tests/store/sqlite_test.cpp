// syncline::sqlite on its own: opening (and failing to), WAL, binding and reading every supported
// type, how SQLite failures become errors, write transactions and two connections on one file.
// The durable store and the warehouse sink both stand on these promises.
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/error.hpp>
#include <syncline/sqlite/initialize.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/sqlite/transaction.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace unity_store_sqlite_test {

namespace {

namespace sq = syncline::sqlite;
using syncline::errc;
using syncline::testing::temp_dir;
using namespace std::chrono_literals;

sq::database open_ok(const std::filesystem::path& file, sq::connection_options opts = {}) {
  auto db = sq::database::open(file.string(), std::move(opts));
  INFO((db ? std::string("opened") : to_string(db.error())));
  REQUIRE(db);
  return std::move(db).value();
}

void exec_ok(sq::database& db, const std::string& sql) {
  auto r = db.exec(sql);
  INFO(sql << ": " << (r ? std::string("ok") : to_string(r.error())));
  REQUIRE(r);
}

// The single integer answer of `sql` (a pragma, a count).
std::int64_t scalar(sq::database& db, std::string_view sql) {
  auto q = db.prepare(sql);
  REQUIRE(q);
  auto row = q->step();
  INFO(sql << ": " << (row ? std::string("ok") : to_string(row.error())));
  REQUIRE(row);
  REQUIRE(*row);
  return q->int64(0);
}

std::string journal_mode(sq::database& db) {
  auto q = db.prepare("PRAGMA journal_mode");
  REQUIRE(q);
  auto row = q->step();
  REQUIRE(row);
  REQUIRE(*row);
  return q->text(0);
}

std::int64_t count_rows(sq::database& db) { return scalar(db, "SELECT count(*) FROM t"); }

}  // namespace

TEST_CASE("sqlite: a path in a missing directory is refused, naming the path and the code",
          "[sqlite]") {
  temp_dir dir("sqlite-test");
  const auto file = dir.file("no-such-dir") / "app.db";

  auto db = sq::database::open(file.string());

  REQUIRE_FALSE(db);
  CHECK(db.error().category == errc::unavailable);
  CHECK(db.error().message ==
        "SQLite: open " + file.string() + ": unable to open database file (code 14)");
  CHECK_FALSE(std::filesystem::exists(file.parent_path()));
}

TEST_CASE("sqlite: a file that is not a database is refused, naming the path and the code",
          "[sqlite]") {
  temp_dir dir("sqlite-test");
  const auto file = dir.file("notes.txt");
  std::string notes;
  for (int i = 0; i < 64; ++i) notes += "these are notes, not an SQLite database\n";
  std::ofstream(file) << notes;

  // Whether or not the connection switches to WAL, the first statement reads the file's header.
  const bool wal = GENERATE(true, false);
  INFO("wal = " << wal);
  sq::connection_options opts;
  opts.wal = wal;
  auto db = sq::database::open(file.string(), opts);

  REQUIRE_FALSE(db);
  CHECK(db.error().category == errc::storage);
  CHECK_THAT(db.error().message, Catch::StartsWith("SQLite: ") && Catch::Contains(file.string()) &&
                                     Catch::EndsWith(": file is not a database (code 26)"));
  // The file is left as it was.
  CHECK(std::filesystem::file_size(file) == notes.size());
}

TEST_CASE("sqlite: open switches the file to WAL, and the mode stays with the file", "[sqlite]") {
  temp_dir dir("sqlite-test");
  const auto file = dir.file("app.db");
  {
    auto db = open_ok(file);
    CHECK(journal_mode(db) == "wal");
    CHECK(scalar(db, "PRAGMA synchronous") == 1);  // NORMAL
  }
  // A connection that does not ask for WAL finds it stored in the file.
  sq::connection_options no_wal;
  no_wal.wal = false;
  auto again = open_ok(file, no_wal);
  CHECK(journal_mode(again) == "wal");
}

TEST_CASE("sqlite: a database that cannot use WAL is refused rather than silently not durable",
          "[sqlite]") {
  // An in-memory database answers journal_mode=WAL with "memory": the same answer path as a
  // file system without shared memory.
  auto db = sq::database::open(":memory:");
  REQUIRE_FALSE(db);
  CHECK(db.error().category == errc::storage);
  CHECK(db.error().message ==
        "SQLite: :memory: cannot use WAL mode (is it on a network file system?)");

  sq::connection_options no_wal;
  no_wal.wal = false;
  CHECK(sq::database::open(":memory:", no_wal));
}

TEST_CASE("sqlite: synchronous is one of SQLite's levels or left alone", "[sqlite]") {
  temp_dir dir("sqlite-test");
  sq::connection_options opts;

  SECTION("an unknown level is refused before the file is touched") {
    opts.synchronous = "normal; DROP TABLE t";
    auto db = sq::database::open(dir.file("app.db").string(), opts);
    REQUIRE_FALSE(db);
    CHECK(db.error().category == errc::invalid_input);
    CHECK(db.error().message ==
          "SQLite: synchronous = \"normal; DROP TABLE t\" is not one of NORMAL, FULL, EXTRA, OFF");
    CHECK_FALSE(std::filesystem::exists(dir.file("app.db")));
  }
  SECTION("each known level is applied") {
    const std::pair<const char*, std::int64_t> levels[] = {
        {"OFF", 0}, {"NORMAL", 1}, {"FULL", 2}, {"EXTRA", 3}};
    for (const auto& [level, number] : levels) {
      INFO("synchronous = " << level);
      opts.synchronous = level;
      auto db = open_ok(dir.file("app.db"), opts);
      CHECK(scalar(db, "PRAGMA synchronous") == number);
    }
  }
  SECTION("empty keeps SQLite's default") {
    opts.synchronous = "";
    auto db = open_ok(dir.file("app.db"), opts);
    CHECK(scalar(db, "PRAGMA synchronous") == 2);  // FULL, this build's default
  }
}

TEST_CASE("sqlite: integers, booleans and times bind and read back exactly", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  auto q = db.prepare("SELECT ?1, typeof(?1)");
  REQUIRE(q);
  auto read_back = [&](auto v) {
    q->reset();
    q->bind(v);
    auto row = q->step();
    REQUIRE(row);
    REQUIRE(*row);
    CHECK(q->text(1) == "integer");
    return q->int64(0);
  };

  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  CHECK(read_back(min) == min);
  CHECK(read_back(max) == max);
  CHECK(read_back(std::int64_t{-1}) == -1);
  CHECK(read_back(std::int64_t{0}) == 0);
  CHECK(read_back(std::numeric_limits<int>::min()) == std::numeric_limits<int>::min());
  CHECK(read_back(std::size_t{1} << 40) == std::int64_t{1} << 40);
  CHECK(read_back(true) == 1);
  CHECK(read_back(false) == 0);

  SECTION("int32 reads an int column") {
    q->reset();
    q->bind(std::numeric_limits<int>::max());
    REQUIRE(q->step().value());
    CHECK(q->int32(0) == std::numeric_limits<int>::max());
  }
  SECTION("times are nanoseconds since the epoch, before and after it") {
    for (const auto t : {sq::time_point{}, sq::time_point(1'767'225'600'123'456'789ns),
                         sq::time_point(-86'400'000'000'001ns)}) {
      CHECK(read_back(t) == sq::to_ns(t));
      CHECK(q->time(0) == t);
      CHECK(q->optional_time(0) == std::optional(t));
    }
    CHECK(sq::to_ns(sq::time_point(1'767'225'600'123'456'789ns)) == 1'767'225'600'123'456'789);
  }
}

TEST_CASE("sqlite: text binds and reads back byte for byte", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  auto q = db.prepare("SELECT ?1, typeof(?1)");
  REQUIRE(q);
  auto read_back = [&](const auto& v) {
    q->reset();
    q->bind(v);
    auto row = q->step();
    REQUIRE(row);
    REQUIRE(*row);
    CHECK(q->text(1) == "text");
    return q->text(0);
  };

  const std::string with_nul("a\0b\0", 4);
  CHECK(read_back(with_nul) == with_nul);
  CHECK(read_back(std::string_view(with_nul)) == with_nul);
  CHECK(read_back("plain literal") == "plain literal");
  CHECK(read_back(std::string("Zoë — 東京 🚀")) == "Zoë — 東京 🚀");
  CHECK(read_back(std::string(100'000, 'x')) == std::string(100'000, 'x'));
  // An empty view may carry no pointer; it is still '' and not NULL.
  CHECK(read_back(std::string_view{}).empty());
  CHECK(read_back(std::string()).empty());

  SECTION("a temporary's bytes are copied at bind time") {
    q->reset();
    q->bind(std::string(64, 'y'));  // dies before the step
    REQUIRE(q->step().value());
    CHECK(q->text(0) == std::string(64, 'y'));
  }
}

TEST_CASE("sqlite: NULL binds from nullopt and empty optionals, and reads as NULL", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  auto q = db.prepare("SELECT ?1, ?2, ?3, ?4, ?5, ?6");
  REQUIRE(q);

  q->bind(std::nullopt, std::optional<std::string>(), std::optional<sq::time_point>(),
          std::optional<std::int64_t>(), std::optional<std::string>("set"),
          std::optional<std::int64_t>(std::numeric_limits<std::int64_t>::min()));
  auto row = q->step();
  REQUIRE(row);
  REQUIRE(*row);
  for (int col = 0; col < 4; ++col) {
    INFO("column " << col);
    CHECK(q->is_null(col));
    CHECK(q->text(col).empty());
    CHECK(q->int64(col) == 0);
  }
  CHECK(q->optional_time(2) == std::nullopt);
  CHECK_FALSE(q->is_null(4));
  CHECK(q->text(4) == "set");
  CHECK(q->int64(5) == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("sqlite: doubles and dynamic values bind with their own SQL types", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  // statement has no double reader: SQL compares and names the type.
  auto q = db.prepare("SELECT ?1 = 0.1, typeof(?1), typeof(?2), ?2, typeof(?3), ?3");
  REQUIRE(q);

  q->bind(0.1, sq::value(std::int64_t{42}), sq::value(std::string("42")));
  auto row = q->step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK(q->int64(0) == 1);
  CHECK(q->text(1) == "real");
  CHECK(q->text(2) == "integer");
  CHECK(q->int64(3) == 42);
  CHECK(q->text(4) == "text");
  CHECK(q->text(5) == "42");
}

TEST_CASE("sqlite: a statement steps through rows, and a cached one starts afresh", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  exec_ok(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
  {
    auto ins = db.prepare("INSERT INTO t(id, name) VALUES (?1, ?2)", "insert into t");
    REQUIRE(ins);
    for (std::int64_t id = 1; id <= 3; ++id) {
      ins->reset();
      REQUIRE(ins->bind(id, "n" + std::to_string(id)).exec());
    }
  }
  REQUIRE(db.exec("UPDATE t SET name = upper(name)"));
  CHECK(db.changes() == 3);

  const char* const select = "SELECT id, name FROM t WHERE id >= ?1 ORDER BY id";
  {
    auto q = db.prepare(select, "list t");
    REQUIRE(q);
    q->bind(2);
    REQUIRE(q->step().value());
    CHECK(q->int64(0) == 2);
    CHECK(q->text(1) == "N2");
    REQUIRE(q->step().value());
    CHECK(q->int64(0) == 3);
  }  // left before the end: the destructor resets it for the next user

  // The same SQL comes back from the cache reset, without the previous bindings (NULL matches
  // no row).
  auto again = db.prepare(select, "list t");
  REQUIRE(again);
  CHECK_FALSE(again->step().value());

  SECTION("a moved statement is used through its new owner") {
    auto moved = std::move(*again);
    moved.reset();
    moved.bind(1);
    REQUIRE(moved.step().value());
    CHECK(moved.int64(0) == 1);
  }
}

TEST_CASE(
    "sqlite: a constraint violation is invalid input, in the documented format, without the "
    "values",
    "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  exec_ok(db, "CREATE TABLE t(token TEXT NOT NULL UNIQUE)");
  auto ins = db.prepare("INSERT INTO t(token) VALUES (?1)", "insert token");
  REQUIRE(ins);
  REQUIRE(ins->bind("shpat_s3cret").exec());
  ins->reset();

  ins->bind("shpat_s3cret");
  auto dup = ins->exec();
  REQUIRE_FALSE(dup);
  CHECK(dup.error().category == errc::invalid_input);
  CHECK(dup.error().message ==
        "SQLite: insert token: UNIQUE constraint failed: t.token (code 2067)");
  CHECK_THAT(dup.error().message, !Catch::Contains("s3cret"));

  SECTION("the error stays until the statement is reset") {
    auto again = ins->step();
    REQUIRE_FALSE(again);
    CHECK(again.error() == dup.error());
    ins->reset();
    REQUIRE(ins->bind("another").exec());
    CHECK(count_rows(db) == 2);
  }
  SECTION("NOT NULL has its own extended code") {
    ins->reset();
    ins->bind(std::nullopt);
    auto null = ins->exec();
    REQUIRE_FALSE(null);
    CHECK(null.error().category == errc::invalid_input);
    CHECK(null.error().message ==
          "SQLite: insert token: NOT NULL constraint failed: t.token (code 1299)");
  }
  SECTION("a database that owns all its input calls it a storage failure") {
    sq::connection_options opts;
    opts.classify = sq::classify_as_storage;
    auto owned = open_ok(dir.file("app.db"), opts);
    auto q = owned.prepare("INSERT INTO t(token) VALUES (?1)", "insert token");
    REQUIRE(q);
    auto r = q->bind("shpat_s3cret").exec();
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::storage);
    CHECK(r.error().message ==
          "SQLite: insert token: UNIQUE constraint failed: t.token (code 2067)");
  }
}

TEST_CASE("sqlite: a bad binding is reported by the next step", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  auto q = db.prepare("SELECT ?1", "select one");
  REQUIRE(q);

  q->bind(1, 2);  // ?2 does not exist
  auto r = q->step();
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::invalid_input);
  CHECK(r.error().message == "SQLite: select one: column index out of range (code 25)");

  q->reset();
  q->bind(7);
  REQUIRE(q->step().value());
  CHECK(q->int64(0) == 7);
}

TEST_CASE("sqlite: SQL that does not prepare or run names itself, abbreviated", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));

  auto bad = db.prepare("SELEC 1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().category == errc::storage);
  CHECK(bad.error().message == "SQLite: SELEC 1: near \"SELEC\": syntax error (code 1)");

  auto named = db.prepare("SELECT * FROM missing", "read missing");
  REQUIRE_FALSE(named);
  CHECK(named.error().message == "SQLite: read missing: no such table: missing (code 1)");

  exec_ok(db, "CREATE TABLE t(x)");
  auto twice = db.exec("CREATE TABLE t(x)", "create t");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message == "SQLite: create t: table t already exists (code 1)");

  // A long statement (a multi-row insert) is cut in the message, not the message's tail.
  std::string long_sql = "INSERT INTO t(x) VALUES (?)";
  for (int i = 0; i < 100; ++i) long_sql += ", (?)";
  long_sql += ", (";  // a syntax error at the very end
  auto cut = db.exec(long_sql);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().message ==
        "SQLite: " + long_sql.substr(0, 160) + "...: incomplete input (code 1)");
  CHECK(sq::abbreviate_sql(std::string(160, 'a')) == std::string(160, 'a'));
}

TEST_CASE("sqlite: a write transaction commits on commit() and rolls back otherwise", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto db = open_ok(dir.file("app.db"));
  exec_ok(db, "CREATE TABLE t(x INTEGER)");

  SECTION("commit keeps the rows, also for another connection") {
    {
      auto tx = sq::write_transaction::begin(db);
      REQUIRE(tx);
      CHECK(db.in_transaction());
      exec_ok(db, "INSERT INTO t VALUES (1)");
      REQUIRE(tx->commit());
      CHECK_FALSE(db.in_transaction());
    }
    auto other = open_ok(dir.file("app.db"));
    CHECK(count_rows(other) == 1);
  }
  SECTION("destroyed without commit, nothing is kept") {
    {
      auto tx = sq::write_transaction::begin(db);
      REQUIRE(tx);
      exec_ok(db, "INSERT INTO t VALUES (1)");
    }
    CHECK_FALSE(db.in_transaction());
    CHECK(count_rows(db) == 0);
  }
  SECTION("a moved transaction is rolled back once, by its last owner") {
    {
      auto tx = sq::write_transaction::begin(db);
      REQUIRE(tx);
      exec_ok(db, "INSERT INTO t VALUES (1)");
      std::optional<sq::write_transaction> keeper;
      {
        auto moved = std::move(*tx);
        keeper.emplace(std::move(moved));
      }
      CHECK(db.in_transaction());  // the moved-from objects undid nothing
      REQUIRE(keeper->commit());
    }
    CHECK(count_rows(db) == 1);
  }
  SECTION("a commit that fails leaves the transaction to be rolled back by its destructor") {
    exec_ok(db, "PRAGMA foreign_keys = ON");
    exec_ok(db, "CREATE TABLE child(parent INTEGER REFERENCES t(x) DEFERRABLE INITIALLY DEFERRED)");
    exec_ok(db, "CREATE UNIQUE INDEX t_x ON t(x)");
    {
      auto tx = sq::write_transaction::begin(db);
      REQUIRE(tx);
      exec_ok(db, "INSERT INTO t VALUES (1)");
      exec_ok(db, "INSERT INTO child VALUES (99)");  // checked at COMMIT
      auto r = tx->commit();
      REQUIRE_FALSE(r);
      CHECK(r.error().category == errc::invalid_input);
      CHECK(r.error().message == "SQLite: commit: FOREIGN KEY constraint failed (code 787)");
      CHECK(db.in_transaction());
    }
    CHECK_FALSE(db.in_transaction());
    CHECK(count_rows(db) == 0);
    CHECK(scalar(db, "SELECT count(*) FROM child") == 0);
  }
  SECTION("a transaction does not nest") {
    auto tx = sq::write_transaction::begin(db);
    REQUIRE(tx);
    auto inner = sq::write_transaction::begin(db);
    REQUIRE_FALSE(inner);
    CHECK(inner.error().message ==
          "SQLite: begin write transaction: cannot start a transaction within a transaction "
          "(code 1)");
    CHECK(db.in_transaction());  // the failed begin did not end the outer transaction
  }
}

TEST_CASE("sqlite: a second writer waits for the lock up to its busy timeout", "[sqlite]") {
  temp_dir dir("sqlite-test");
  auto first = open_ok(dir.file("app.db"));
  exec_ok(first, "CREATE TABLE t(x INTEGER)");

  SECTION("without patience it is refused at once with SQLITE_BUSY, a transient storage error") {
    sq::connection_options impatient;
    impatient.busy_timeout = 0ms;
    auto second = open_ok(dir.file("app.db"), impatient);
    auto held = sq::write_transaction::begin(first);
    REQUIRE(held);

    auto refused = sq::write_transaction::begin(second);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().category == errc::storage);
    CHECK(syncline::is_transient(refused.error().category));
    CHECK(refused.error().message ==
          "SQLite: begin write transaction: database is locked (code 5)");
    CHECK_FALSE(second.in_transaction());

    // Readers are not blocked by the writer in WAL mode.
    CHECK(count_rows(second) == 0);

    REQUIRE(held->commit());
    CHECK(sq::write_transaction::begin(second));
  }
  SECTION("with patience it gets the lock once the first writer commits") {
    sq::connection_options patient;
    patient.busy_timeout = 60s;
    auto second = open_ok(dir.file("app.db"), patient);
    auto held = sq::write_transaction::begin(first);
    REQUIRE(held);
    exec_ok(first, "INSERT INTO t VALUES (1)");

    // Each connection is used by one thread only, as the header requires.
    syncline::result<void> waited = syncline::make_error(errc::internal, "not run");
    std::thread writer([&] {
      auto tx = sq::write_transaction::begin(second);
      if (!tx) {
        waited = std::move(tx).error();
        return;
      }
      auto ins = second.prepare("INSERT INTO t VALUES (2)");
      waited = ins ? ins->exec() : syncline::result<void>(std::move(ins).error());
      if (waited) waited = tx->commit();
    });
    // Gives the writer time to reach the held lock, where it must wait rather than fail (a
    // writer that arrives late finds the lock free; the impatient section shows the contrast).
    std::this_thread::sleep_for(50ms);
    REQUIRE(held->commit());
    writer.join();
    INFO((waited ? std::string("ok") : to_string(waited.error())));
    CHECK(waited);
    CHECK(count_rows(first) == 2);
  }
}

// What SQLite counts while a database opens and answers a query: nothing once the memory
// statistics are off.
std::int64_t memory_counted_by_a_query() {
  temp_dir dir;
  const std::int64_t before = sqlite3_memory_used();
  auto db = open_ok(dir.file("counted.db"));
  REQUIRE(db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a row')"));
  return sqlite3_memory_used() - before;
}

TEST_CASE("sqlite: its memory statistics are off unless the application initialised it first",
          "[sqlite]") {
  // Every connection of the earlier tests is closed: SQLite can be taken back to before its
  // first use, as in a process that has not used it yet.
  REQUIRE(sqlite3_shutdown() == SQLITE_OK);
  CHECK(sq::detail::apply_process_settings());
  CHECK(memory_counted_by_a_query() == 0);

  // An application that initialised SQLite with its statistics on keeps them.
  REQUIRE(sqlite3_shutdown() == SQLITE_OK);
  REQUIRE(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1) == SQLITE_OK);
  REQUIRE(sqlite3_initialize() == SQLITE_OK);
  CHECK_FALSE(sq::detail::apply_process_settings());
  CHECK(memory_counted_by_a_query() > 0);

  // Left as syncline leaves a process, for the tests after this one.
  REQUIRE(sqlite3_shutdown() == SQLITE_OK);
  CHECK(sq::detail::apply_process_settings());
}

}  // namespace unity_store_sqlite_test
