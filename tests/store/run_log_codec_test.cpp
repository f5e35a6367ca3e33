// The run log's storage form (store/detail/run_log_codec.hpp): what both stores write and read.
// The stores' own round trips are in store_conformance_test.cpp; these cases pin the encoding.
#include <syncline/store/detail/run_log_codec.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace unity_store_run_log_codec_test {

namespace st = syncline::store;
using st::detail::read_run_log_row;
using st::detail::run_log_rows;

namespace {

st::time_point at_ns(std::int64_t ns) { return st::time_point(std::chrono::nanoseconds(ns)); }

std::vector<st::block_event_record> read_back(const st::detail::run_log_row& row) {
  std::vector<st::block_event_record> out;
  REQUIRE(read_run_log_row(row.run_id, row.attempt, row.events, out));
  return out;
}

}  // namespace

TEST_CASE("run log: plain names go in as they are, one JSON array per run and attempt", "[store]") {
  const std::vector<st::block_event_record> events{
      {7, 1, 0, "decode", at_ns(1733500000123456789), at_ns(1733500000123456999), "ok", ""},
      {8, 1, 0, "decode", at_ns(-5), at_ns(0), "skipped", ""},
      {7, 1, 1, "to_app", at_ns(1), at_ns(2), "error", "http: 500 from the app"}};
  const auto rows = run_log_rows(events);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].run_id == 7);
  CHECK(rows[0].events ==
        R"([{"position":0,"block":"decode","started_at":1733500000123456789,)"
        R"("finished_at":1733500000123456999,"outcome":"ok","error":""},)"
        R"({"position":1,"block":"to_app","started_at":1,"finished_at":2,"outcome":"error",)"
        R"("error":"http: 500 from the app"}])");
  CHECK(read_back(rows[0]) == std::vector<st::block_event_record>{events[0], events[2]});
  CHECK(read_back(rows[1]) == std::vector<st::block_event_record>{events[1]});
}

TEST_CASE("run log: text JSON must escape is escaped, and bytes that are not UTF-8 are replaced",
          "[store]") {
  const std::string tricky = "say \"hi\" \\ \t\n\x01 caf\xc3\xa9 </script>";
  const std::vector<st::block_event_record> events{
      {1, 2, 3, "block \"x\"", at_ns(1), at_ns(2), "error", tricky},
      {1, 2, 4, "map", at_ns(3), at_ns(4), "error", "bad \xff byte"}};
  const auto rows = run_log_rows(events);
  REQUIRE(rows.size() == 1);
  const auto back = read_back(rows[0]);
  REQUIRE(back.size() == 2);
  CHECK(back[0] == events[0]);
  CHECK(back[1].error == "bad \xef\xbf\xbd byte");  // U+FFFD: the row stays valid JSON
}

TEST_CASE("run log: a row that is not the store's JSON is an error naming the run and attempt",
          "[store]") {
  std::vector<st::block_event_record> out;
  for (const char* bad : {"", "[", "{}", R"([{"position":"x"}])", "[1]"}) {
    INFO(bad);
    auto r = read_run_log_row(42, 3, bad, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::storage);
    CHECK(r.error().message.find("run log of run 42, attempt 3: unreadable") != std::string::npos);
  }
  CHECK(out.empty());
}

}  // namespace unity_store_run_log_codec_test
