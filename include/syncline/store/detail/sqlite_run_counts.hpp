// sqlite_store's runs per status (table run_counts, read by backpressure and counts()), kept by the
// store's own statements since schema 8. Schemas 2 to 7 kept them with triggers on runs; SQLite
// runs a trigger as a sub-program per row, which cost more than the statement that fired it: a
// run's completion took 6.2-8.9 us with the trigger and 3.8-5.0 us without (docs/perf/runtime.md).
// Every statement that inserts, deletes or changes the status of runs records what it did here,
// and the same write transaction applies the sum, so the counts stay exact across processes.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/store/run.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace syncline::store::detail {

class run_count_moves {
 public:
  void add(run_status s, std::int64_t n = 1) noexcept { delta_[index(s)] += n; }
  void remove(run_status s, std::int64_t n = 1) noexcept { delta_[index(s)] -= n; }
  void move(run_status from, run_status to, std::int64_t n = 1) noexcept {
    remove(from, n);
    add(to, n);
  }

  // In the caller's write transaction: one UPDATE per status whose count changed.
  result<void> apply(sqlite::database& c) {
    for (std::size_t i = 0; i < delta_.size(); ++i) {
      if (delta_[i] == 0) continue;
      auto q = c.prepare("UPDATE run_counts SET n = n + ?1 WHERE status = ?2", "count runs");
      if (!q) return std::move(q).error();
      if (auto r = q->bind(delta_[i], to_string(static_cast<run_status>(i))).exec(); !r) return r;
      delta_[i] = 0;
    }
    return {};
  }

 private:
  static constexpr std::size_t index(run_status s) noexcept { return static_cast<std::size_t>(s); }

  std::array<std::int64_t, 6> delta_{};  // by run_status, whose values are 0..5
};

// Steps a bound `DELETE FROM runs ... RETURNING status` to its end and takes the deleted runs off
// their counts, in the caller's write transaction. Answers how many it deleted.
inline result<std::int64_t> delete_runs_counted(sqlite::database& c, sqlite::statement& q) {
  run_count_moves counted;
  std::int64_t deleted = 0;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    const auto status = parse_run_status(q.text(0));
    if (!status) return make_error(errc::storage, "a run with an unknown status: " + q.text(0));
    counted.remove(*status);
    ++deleted;
  }
  if (auto r = counted.apply(c); !r) return std::move(r).error();
  return deleted;
}

}  // namespace syncline::store::detail
