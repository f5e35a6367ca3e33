// sqlite_store's run log (detail/run_log_codec.hpp): the rows written by a completion, an append
// and the 6 -> 7 migration, and the log of one run read back.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/detail/run_log_codec.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace syncline::store::detail {

// Inside the caller's write transaction.
inline result<void> insert_run_log(sqlite::database& c,
                                   std::span<const block_event_record> events) {
  for (const auto& row : run_log_rows(events)) {
    auto q = c.prepare("INSERT INTO run_log (run_id, attempt, events) VALUES (?1, ?2, ?3)",
                       "append to the run log");
    if (!q) return std::move(q).error();
    if (auto r = q->bind(row.run_id, row.attempt, row.events).exec(); !r) return r;
  }
  return {};
}

inline result<std::vector<block_event_record>> read_run_log(sqlite::database& c,
                                                            std::int64_t run_id) {
  auto q = c.prepare("SELECT attempt, events FROM run_log WHERE run_id = ?1 ORDER BY rowid",
                     "read the run log");
  if (!q) return std::move(q).error();
  q->bind(run_id);
  std::vector<block_event_record> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    if (auto r = read_run_log_row(run_id, q->int32(0), q->text(1), out); !r) {
      return std::move(r).error();
    }
  }
}

}  // namespace syncline::store::detail
