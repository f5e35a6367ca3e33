// The store implementations that tests/store/store_conformance_test.cpp runs every case against:
// whatever one store does, the others must do too.
//
// TO ADD A STORE: write one struct like sqlite_under_test below, then add it to
// STORES_UNDER_TEST at the end of this file. Nothing else changes. A store under test provides
//   T()                                        a fresh, empty database owned by this object
//   std::unique_ptr<st::store> open(opts)      a store on that database; REQUIREs success
//   std::unique_ptr<st::store> reopen()        another store on the same database, with the
//                                              options of the last open(), as another process
//                                              would open it
//   static std::string store_id(st::store&)         what names the database in idempotency keys
//   static std::string worker_identity(st::store&)  what claim appends to the worker's name
// A store that needs a server (PostgreSQL) starts it once per test process, in a function-local
// static reached from the test's own thread (the server stops when its starting thread ends),
// and gives each T() a database of its own on it, so cases never see each other's rows.
#pragma once

#include <syncline/store/sqlite_store.hpp>
#include <syncline/store/store.hpp>

#include <memory>
#include <string>

#include "store/postgres_under_test.hpp"
#include "store/store_fixture.hpp"

namespace store_test {

// A database file in a temporary directory of its own.
class sqlite_under_test {
 public:
  std::unique_ptr<st::store> open(const st::store_options& policy) {
    options_ = {};
    static_cast<st::store_options&>(options_) = policy;
    return open_store(dir_.file("store.db"), options_);
  }
  std::unique_ptr<st::store> reopen() { return open_store(dir_.file("store.db"), options_); }

  static std::string store_id(st::store& s) { return concrete(s).store_id(); }
  static std::string worker_identity(st::store& s) { return concrete(s).worker_identity(); }

 private:
  static st::sqlite_store& concrete(st::store& s) {
    auto* sqlite = dynamic_cast<st::sqlite_store*>(&s);
    REQUIRE(sqlite != nullptr);
    return *sqlite;
  }

  temp_dir dir_;
  st::sqlite_store_options options_;
};

}  // namespace store_test

// The list TEMPLATE_TEST_CASE expands (a macro, not a type list, so that Catch2 names each case
// after its store: "<case> - sqlite_under_test"; the cases are in namespace store_test).
// One entry per store, comma separated.
#define STORES_UNDER_TEST sqlite_under_test, postgres_under_test
