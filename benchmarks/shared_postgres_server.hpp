// One throw-away PostgreSQL server per benchmark binary (testing::postgres_server, fsync on: the
// real price of a commit), started on first use from the benchmark's main thread and stopped at
// exit; nullptr when PostgreSQL is not installed or would not start, and `why` then says which.
#pragma once

#include <syncline_test_support/postgres_server.hpp>

#include <optional>
#include <string>

namespace bench {

inline syncline::testing::postgres_server* shared_postgres_server(std::string* why = nullptr) {
  static std::string failure;
  static std::optional<syncline::testing::postgres_server> server = [] {
    std::optional<syncline::testing::postgres_server> s;
    auto started = syncline::testing::postgres_server::start({.durable = true});
    if (started) {
      s.emplace(std::move(*started));
    } else {
      failure =
          "PostgreSQL is not installed or would not start, skipped: " + started.error().message;
    }
    return s;
  }();
  if (!server && why) *why = failure;
  return server ? &*server : nullptr;
}

}  // namespace bench
