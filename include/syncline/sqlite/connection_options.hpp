// syncline::sqlite::connection_options: how a connection opens (busy timeout, WAL, synchronous, how
// errors are classified). Apart from database.hpp so that a sink's options can be declared without
// the connection's class.
#pragma once

#include <syncline/sqlite/error.hpp>

#include <chrono>
#include <string>

namespace syncline::sqlite {

struct connection_options {
  // Waits this long for another connection's write lock before failing.
  std::chrono::milliseconds busy_timeout{5000};
  // Switches the file to WAL and fails if it cannot (e.g. on a network file system). Off only
  // for databases on file systems without shared memory, or for a connection to a file another
  // connection already switched (the mode is stored in the file).
  bool wal = true;
  // "NORMAL" (WAL: durable against crashes of the process, not of the OS), "FULL" (fsync on
  // every commit), "EXTRA", "OFF", or empty to leave SQLite's default.
  std::string synchronous = "NORMAL";
  // The errc each SQLite failure on this connection becomes.
  error_classifier classify = classify_by_code;
};

}  // namespace syncline::sqlite
