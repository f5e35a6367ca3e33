// syncline::sqlite::initialize(): the process-wide settings syncline wants of SQLite, applied
// before SQLite's first use in the process. database::open calls it, so a process whose first
// SQLite use is syncline's gets them without asking.
//
// The one setting: no memory statistics (SQLITE_CONFIG_MEMSTATUS off). With them on (SQLite's
// default), every allocation and free of every connection takes one process-wide mutex, and the
// engine's threads (the store's writer, its claim thread, the io threads running sinks) run
// statements at once: under runs/engine_5_blocks perf showed threads waiting on it in futex calls
// (docs/perf/runtime.md, "The emitting harness and SQLite's memory statistics"). syncline reads
// no memory statistic; what goes without them is sqlite3_memory_used(), sqlite3_status() of
// memory and sqlite3_soft_heap_limit64().
//
// SQLite takes process-wide settings only before it is initialised (sqlite3_config answers
// SQLITE_MISUSE after), so an application that opens SQLite itself before syncline does and wants
// the setting calls this first; one that wants its statistics initialises SQLite before syncline
// opens a database, and its settings stand. Not to be called while another thread initialises
// SQLite (sqlite3_config is not thread-safe then); once SQLite is initialised it only reads.
#pragma once

#include <sqlite3.h>

namespace syncline::sqlite {

namespace detail {
// The settings, on an SQLite not yet initialised; then initialises it. False, and nothing
// changed, when it already was (sqlite3_config refuses, and logs the misuse through an
// application's SQLITE_CONFIG_LOG callback: why initialize() calls this once per process).
inline bool apply_process_settings() noexcept {
  const bool set = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  return sqlite3_initialize() == SQLITE_OK && set;
}
}  // namespace detail

// Whether syncline's settings are in force: false when SQLite was initialised before without
// them. The first call decides; the later ones answer the same.
inline bool initialize() noexcept {
  static const bool applied = detail::apply_process_settings();
  return applied;
}

}  // namespace syncline::sqlite
