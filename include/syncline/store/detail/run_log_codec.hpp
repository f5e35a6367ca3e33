// How both stores keep the run log (store.hpp: append_block_events, block_events): one row per run
// attempt and append, whose `events` column is that attempt's block events as a JSON array, e.g.
//
//   [{"position":0,"block":"map_to_shopify_order","started_at":1733,"finished_at":1734,
//     "outcome":"ok","error":""}, ...]
//
// (times in nanoseconds since the Unix epoch, as in every other column). A row per block cost a
// run five inserts and five index entries; a row per attempt costs one (docs/perf/store.md, "The
// run log: one row per attempt"). JSON rather than a private encoding so that an operator can
// still read and filter the log in SQL: json_each in SQLite, json_array_elements in PostgreSQL.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/store/block_event_record.hpp>

#include <boost/describe/class.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::store::detail {

// One element of a row's JSON array: a block_event_record less the run and attempt, which are
// the row's own columns.
struct logged_block {
  int position = 0;
  std::string block;
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;
  std::string outcome;
  std::string error;
};
BOOST_DESCRIBE_STRUCT(logged_block, (), (position, block, started_at, finished_at, outcome, error))

struct run_log_row {
  std::int64_t run_id = 0;
  int attempt = 0;
  std::string events;  // the JSON array
};

inline std::int64_t run_log_ns(time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Appends `text` as a JSON string. Block names and outcomes are plain ASCII and go in as they
// are; text with anything else (an error quoting an app's answer) goes through json::encode,
// the one place that escapes and replaces what is not UTF-8. The generic encoder alone cost
// ~20k instructions a run for five blocks (callgrind, docs/perf/store.md), most of them
// validating text that needs no escaping.
inline void append_run_log_string(std::string& out, std::string_view text) {
  for (unsigned char ch : text) {
    if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
      out += json::encode(std::string(text));
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

inline void append_run_log_number(std::string& out, std::int64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// One element of the array, with logged_block's keys (read back by json::decode).
inline void append_run_log_event(std::string& out, const block_event_record& e) {
  out += R"({"position":)";
  append_run_log_number(out, e.position);
  out += R"(,"block":)";
  append_run_log_string(out, e.block);
  out += R"(,"started_at":)";
  append_run_log_number(out, run_log_ns(e.started_at));
  out += R"(,"finished_at":)";
  append_run_log_number(out, run_log_ns(e.finished_at));
  out += R"(,"outcome":)";
  append_run_log_string(out, e.outcome);
  out += R"(,"error":)";
  append_run_log_string(out, e.error);
  out += '}';
}

// The rows that log `events`: one per run and attempt, in the order each first appears, each
// holding its events in the order given (a batch of completions may interleave several runs).
inline std::vector<run_log_row> run_log_rows(std::span<const block_event_record> events) {
  std::vector<run_log_row> rows;
  for (const auto& e : events) {
    std::size_t i = 0;
    while (i < rows.size() && (rows[i].run_id != e.run_id || rows[i].attempt != e.attempt)) ++i;
    if (i == rows.size()) {
      rows.push_back({e.run_id, e.attempt, "["});
      rows.back().events.reserve(160 * 5);  // five blocks of about 150 bytes: one allocation
    } else {
      rows[i].events += ',';
    }
    append_run_log_event(rows[i].events, e);
  }
  for (auto& row : rows) row.events += ']';
  return rows;
}

// Appends the events of one stored row to `out`. A row that does not decode is an error naming
// the run (errc::storage): the log was written by this code, so it means a damaged or hand-edited
// database, which the reader must hear about rather than see a shorter log.
inline result<void> read_run_log_row(std::int64_t run_id, int attempt, std::string_view events,
                                     std::vector<block_event_record>& out) {
  auto blocks = json::decode<std::vector<logged_block>>(events);
  if (!blocks) {
    return make_error(errc::storage, "run log of run " + std::to_string(run_id) + ", attempt " +
                                         std::to_string(attempt) +
                                         ": unreadable: " + blocks.error().message);
  }
  for (auto& b : *blocks) {
    out.push_back({run_id, attempt, b.position, std::move(b.block),
                   time_point(std::chrono::duration_cast<time_point::duration>(
                       std::chrono::nanoseconds(b.started_at))),
                   time_point(std::chrono::duration_cast<time_point::duration>(
                       std::chrono::nanoseconds(b.finished_at))),
                   std::move(b.outcome), std::move(b.error)});
  }
  return {};
}

}  // namespace syncline::store::detail
