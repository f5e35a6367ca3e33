// sqlite_store's schema and its creation. docs/store.md explains each table; the version lives
// in PRAGMA user_version so a newer file is refused rather than misread.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/transaction.hpp>

#include <string>

namespace syncline::store::detail {

inline constexpr int sqlite_schema_version = 1;

// Times are integer nanoseconds since the Unix epoch.
inline constexpr const char* sqlite_schema = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
-- Names this database in idempotency keys, so that a store created anew (ids start again at 1)
-- cannot hand a destination a key it already saw.
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))));

-- The run queue and the run log are one table: a run is queued, leased and finished in place.
-- AUTOINCREMENT: an id is never reused after pruning, because idempotency keys are built on it.
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT NOT NULL,
  integration  TEXT NOT NULL,
  workflow     TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  dedupe_key   TEXT NOT NULL,
  payload      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN
                 ('queued', 'running', 'succeeded', 'skipped', 'retry_wait', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  -- When the run next needs a worker: queued -> when queued, retry_wait -> the retry time,
  -- running -> the lease expiry (then it is claimable again). NULL once finished. One column
  -- makes "what is due" a single range scan of one index.
  due_at       INTEGER,
  lease_token  TEXT,
  worker       TEXT NOT NULL DEFAULT '',
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  CHECK ((due_at IS NULL) = (status IN ('succeeded', 'skipped', 'dead'))),
  CHECK ((lease_token IS NOT NULL) = (status = 'running'))
);
CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
-- Run-log filters; each index also orders by id (the rowid), so "newest first" needs no sort.
CREATE INDEX runs_by_tenant ON runs (tenant);
CREATE INDEX runs_by_workflow ON runs (workflow);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_created ON runs (created_at);

-- Runs per status, kept by triggers in the same transactions: backpressure reads the queue
-- depth in O(1) on every enqueue, across every process that writes the file.
CREATE TABLE run_counts (
  status TEXT PRIMARY KEY,
  n      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO run_counts (status, n) VALUES
  ('queued', 0), ('running', 0), ('succeeded', 0), ('skipped', 0), ('retry_wait', 0), ('dead', 0);
CREATE TRIGGER runs_count_insert AFTER INSERT ON runs BEGIN
  UPDATE run_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER runs_count_update AFTER UPDATE OF status ON runs
WHEN OLD.status <> NEW.status BEGIN
  UPDATE run_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE run_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER runs_count_delete AFTER DELETE ON runs BEGIN
  UPDATE run_counts SET n = n - 1 WHERE status = OLD.status;
END;

-- Separate from runs so that the dedupe window and run retention are independent.
CREATE TABLE dedupe_keys (
  tenant       TEXT NOT NULL,
  integration  TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  dedupe_key   TEXT NOT NULL,
  run_id       INTEGER NOT NULL,
  seen_at      INTEGER NOT NULL,
  PRIMARY KEY (tenant, integration, trigger_name, dedupe_key)
) WITHOUT ROWID;
CREATE INDEX dedupe_keys_by_age ON dedupe_keys (seen_at);

CREATE TABLE block_events (
  run_id      INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  block       TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome     TEXT NOT NULL,
  error       TEXT NOT NULL
);
CREATE INDEX block_events_by_run ON block_events (run_id);

CREATE TABLE cursors (
  tenant       TEXT NOT NULL,
  integration  TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  value        TEXT NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant, integration, trigger_name)
) WITHOUT ROWID;

CREATE TABLE echoes (
  tenant      TEXT NOT NULL,
  integration TEXT NOT NULL,
  record_id   TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  written_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, integration, record_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX echoes_by_age ON echoes (written_at);

CREATE TABLE tenants (
  integration TEXT NOT NULL,
  id          TEXT NOT NULL,
  credentials TEXT NOT NULL,
  settings    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (integration, id)
) WITHOUT ROWID;
)sql";

// Creates the schema in a new file, accepts the current version, refuses anything else. Runs in
// a write transaction so that two processes opening a new file at once create it once.
inline result<void> ensure_sqlite_schema(sqlite::database& c) {
  auto tx = sqlite::write_transaction::begin(c);
  if (!tx) return std::move(tx).error();
  int version = 0;
  {
    auto q = c.prepare("PRAGMA user_version", "read schema version");
    if (!q) return std::move(q).error();
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (*row) version = q->int32(0);
  }
  if (version == sqlite_schema_version) return {};  // the transaction rolls back: nothing written
  if (version != 0) {
    return make_error(errc::storage,
                      "sqlite store: the file has schema version " + std::to_string(version) +
                          ", this syncline reads version " + std::to_string(sqlite_schema_version) +
                          "; open it with a matching syncline");
  }
  if (auto r = c.exec(sqlite_schema, "create schema"); !r) return r;
  const std::string set_version = "PRAGMA user_version = " + std::to_string(sqlite_schema_version);
  if (auto r = c.exec(set_version.c_str(), "set schema version"); !r) return r;
  return tx->commit();
}

}  // namespace syncline::store::detail
