// sqlite_store's schema and its creation. docs/store.md explains each table; the version lives
// in PRAGMA user_version so a newer file is refused rather than misread.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/transaction.hpp>
#include <syncline/store/detail/sqlite_run_log.hpp>

#include <iterator>
#include <string>
#include <string_view>

namespace syncline::store::detail {

inline constexpr int sqlite_schema_version = 10;

// Times are integer nanoseconds since the Unix epoch. The schema is in parts so that a migration
// that rebuilds the runs table (SQLite cannot change a CHECK in place) uses the same text as a
// new file.
inline constexpr const char* sqlite_schema_meta = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
-- Names this database in idempotency keys, so that a store created anew (ids start again at 1)
-- cannot hand a destination a key it already saw.
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))));

)sql";

inline constexpr const char* sqlite_runs_table = R"sql(
-- The run queue and the run log are one table: a run is queued, leased and finished in place.
-- AUTOINCREMENT: an id is never reused after pruning, because idempotency keys are built on it.
-- The CHECKs compare with = rather than IN: SQLite builds a temporary table for an IN list of
-- more than two constants each time a statement runs, which was most of an insert's cost
-- (schema 1 did).
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT NOT NULL,
  integration  TEXT NOT NULL,
  workflow     TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  dedupe_key   TEXT NOT NULL,
  payload      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status = 'queued' OR status = 'running' OR
                 status = 'succeeded' OR status = 'skipped' OR status = 'retry_wait' OR
                 status = 'dead'),
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
  CHECK ((due_at IS NULL) = (status = 'succeeded' OR status = 'skipped' OR status = 'dead')),
  CHECK ((lease_token IS NOT NULL) = (status = 'running'))
);
)sql";

inline constexpr const char* sqlite_runs_indexes = R"sql(
CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
-- Dropped by schema 10 (prune walks old runs in id order instead).
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
-- Run-log filters; each index also orders by id (the rowid), so "newest first" needs no sort.
-- Every index is paid for on the hot path (a run is inserted, claimed and finished, and each
-- status change moves its entries), so only the filters that pick few of many rows have one: a
-- tenant among thousands, a time range, and the dead letters. Unfinished runs are found through
-- runs_due; a workflow or a finished status is common enough that the newest-first scan of the
-- rowid meets a page of them at once. (Schema 1 also indexed workflow and every status.)
CREATE INDEX runs_by_tenant ON runs (tenant);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_dead ON runs (status) WHERE status = 'dead';

)sql";

// Schema 3: fair claim (store.hpp, claim) finds the tenants that have unfinished runs, and each
// one's oldest due runs, through this index without reading any tenant's backlog. Apart from
// sqlite_runs_indexes because migration 1 -> 2 builds schema 2's indexes only.
inline constexpr const char* sqlite_runs_fair_claim_index = R"sql(
CREATE INDEX runs_due_by_tenant ON runs (tenant, due_at) WHERE due_at IS NOT NULL;
)sql";

// Schema 4: the rate limit buckets that every process of one database shares (store.hpp,
// reserve_rate): a level and when it was last drained; capacity and leak rate come with each call.
inline constexpr const char* sqlite_rate_buckets_table = R"sql(
CREATE TABLE rate_buckets (
  name       TEXT PRIMARY KEY,
  level      REAL NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

inline constexpr const char* sqlite_run_counts_table = R"sql(
-- Runs per status, kept in the same transactions (by the store's statements since schema 8,
-- detail/sqlite_run_counts.hpp; by triggers before): backpressure reads the queue depth in O(1)
-- on every enqueue, across every process that writes the file.
CREATE TABLE run_counts (
  status TEXT PRIMARY KEY,
  n      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO run_counts (status, n) VALUES
  ('queued', 0), ('running', 0), ('succeeded', 0), ('skipped', 0), ('retry_wait', 0), ('dead', 0);
)sql";

// Schemas 2 to 7 counted the runs with these triggers; migration 1 -> 2 still creates them (it
// rebuilds schema 2) and 7 -> 8 drops them.
inline constexpr const char* sqlite_run_counts_triggers = R"sql(
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

)sql";

inline constexpr const char* sqlite_schema_rest = R"sql(
-- Separate from runs so that the dedupe window and run retention are independent. Schemas 1 to 9;
-- schema 10 keeps the keys in the order they were seen (sqlite_dedupe_keys_table).
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

// The version of the workflow that queued each run (syncline::version). An added column rather
// than one in sqlite_runs_table, which migration 1 -> 2 rebuilds with schema 2's columns: runs
// queued before it existed were queued by version 1, the only version there was.
inline constexpr const char* sqlite_runs_workflow_version = R"sql(
ALTER TABLE runs ADD COLUMN workflow_version INTEGER NOT NULL DEFAULT 1
  CHECK (workflow_version >= 1);
)sql";

// Schema 6 (issue 14, Shopify onboarding and privacy erasure): the single-use OAuth states, the
// installations' revisions (compare-and-set of a refreshed token: store.hpp,
// replace_installation; rows put before were put at least once, so revision 1), and the log of
// erasures (counts only: what was erased is gone, and the log must not keep it).
inline constexpr const char* sqlite_onboarding_and_erasure = R"sql(
CREATE TABLE install_states (
  state       TEXT PRIMARY KEY,
  integration TEXT NOT NULL,
  shop        TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX install_states_by_expiry ON install_states (expires_at);

ALTER TABLE tenants ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1);

CREATE TABLE erasures (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant       TEXT NOT NULL,
  kind         TEXT NOT NULL,
  request      TEXT NOT NULL,
  runs         INTEGER NOT NULL,
  block_events INTEGER NOT NULL,
  dedupe_keys  INTEGER NOT NULL,
  echo_records INTEGER NOT NULL,
  cursors      INTEGER NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX erasures_by_tenant ON erasures (tenant);
)sql";

// Schema 7: the run log, one row per run attempt (and append) holding that attempt's block
// events as a JSON array (detail/run_log_codec.hpp); schema 6 and before had one row per block in
// block_events.
inline constexpr const char* sqlite_run_log_table = R"sql(
CREATE TABLE run_log (
  run_id  INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  events  TEXT NOT NULL
);
CREATE INDEX run_log_by_run ON run_log (run_id);
)sql";

// Schema 9: a run's payload in a table of its own, written once when the run is queued and never
// again. In the runs row, every lease and every end rewrote it (SQLite writes whole rows). A
// model of the store's statements needs 0.79x the CPU per run this way with 1.3 KB payloads and
// 0.57x with 5 KB; durable ingest rose by 8-18% (docs/perf/store.md, "The payload in a table of
// its own"). The trigger deletes a payload with its run, whichever statement deletes the run
// (retention, erasure). Created after runs loses its column: a trigger that names the table must
// not stand in the way of the ALTER.
inline constexpr const char* sqlite_run_payloads_table = R"sql(
CREATE TABLE run_payloads (
  run_id  INTEGER PRIMARY KEY,
  payload TEXT NOT NULL
);
)sql";
inline constexpr const char* sqlite_run_payloads_trigger = R"sql(
CREATE TRIGGER runs_payload_delete AFTER DELETE ON runs BEGIN
  DELETE FROM run_payloads WHERE run_id = old.id;
END;
)sql";

// Schema 1 -> 2, the runs table rebuilt with the new CHECKs (SQLite cannot alter one), its rows,
// ids and AUTOINCREMENT counter kept (ids are never reused: idempotency keys are built on them),
// and only the indexes that schema 2 keeps.
inline result<void> migrate_sqlite_1_to_2(sqlite::database& c) {
  std::string rebuilt = sqlite_runs_table;
  const std::string_view name = "CREATE TABLE runs (";
  rebuilt.replace(rebuilt.find(name), name.size(), "CREATE TABLE runs_v2 (");
  if (auto r = c.exec(rebuilt, "migrate: create the new runs table"); !r) return r;
  const char* move_rows = R"sql(
INSERT INTO runs_v2 SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, payload,
  status, attempts, due_at, lease_token, worker, last_error, created_at, updated_at, finished_at
  FROM runs;
DELETE FROM sqlite_sequence WHERE name = 'runs_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'runs_v2', seq FROM sqlite_sequence
  WHERE name = 'runs';
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
)sql";
  if (auto r = c.exec(move_rows, "migrate: move the runs"); !r) return r;
  if (auto r = c.exec(sqlite_runs_indexes, "migrate: index the runs"); !r) return r;
  return c.exec(sqlite_run_counts_triggers, "migrate: count the runs");
}

// Schema 2 -> 3: the index of fair claim; no row changes.
inline result<void> migrate_sqlite_2_to_3(sqlite::database& c) {
  return c.exec(sqlite_runs_fair_claim_index, "migrate: index the due runs by tenant");
}

// Schema 3 -> 4: the shared rate buckets; no row changes.
inline result<void> migrate_sqlite_3_to_4(sqlite::database& c) {
  return c.exec(sqlite_rate_buckets_table, "migrate: add the shared rate buckets");
}

// Schema 4 -> 5: runs record their workflow's version; every existing run is version 1's.
inline result<void> migrate_sqlite_4_to_5(sqlite::database& c) {
  return c.exec(sqlite_runs_workflow_version, "migrate: record the runs' workflow versions");
}

// Schema 5 -> 6: install states, installation revisions, the erasure log; no row changes (the
// installations get revision 1).
inline result<void> migrate_sqlite_5_to_6(sqlite::database& c) {
  return c.exec(sqlite_onboarding_and_erasure,
                "migrate: add install states, installation revisions and the erasure log");
}

// Schema 6 -> 7: block_events' rows become run_log rows, one per run and attempt, each in the
// order its events were appended; then block_events goes. Written here rather than in SQL so that
// the rows are encoded by the code that writes new ones (json_group_array promises no order), and
// streamed a run at a time (the index on run_id hands them over in that order) so that a large log
// is not held in memory.
inline result<void> migrate_sqlite_6_to_7(sqlite::database& c) {
  if (auto r = c.exec(sqlite_run_log_table, "migrate: create the run log"); !r) return r;
  {  // the reading statement must be done before its table can go
    auto q = c.prepare(
        "SELECT run_id, attempt, position, block, started_at, finished_at, outcome, error "
        "FROM block_events ORDER BY run_id, rowid",
        "migrate: read the block events");
    if (!q) return std::move(q).error();
    std::vector<block_event_record> attempt;  // the events of one run attempt
    for (;;) {
      auto row = q->step();
      if (!row) return std::move(row).error();
      if (!*row || (!attempt.empty() && (attempt.back().run_id != q->int64(0) ||
                                         attempt.back().attempt != q->int32(1)))) {
        if (auto r = insert_run_log(c, attempt); !r) return r;
        attempt.clear();
      }
      if (!*row) break;
      attempt.push_back({q->int64(0), q->int32(1), q->int32(2), q->text(3), q->time(4), q->time(5),
                         q->text(6), q->text(7)});
    }
  }
  return c.exec("DROP TABLE block_events", "migrate: drop the block events");
}

// Schema 7 -> 8: the store's statements keep run_counts (detail/sqlite_run_counts.hpp) instead of
// the triggers, which cost more than the statements that fired them. The counts the triggers kept
// are exact and stay.
inline result<void> migrate_sqlite_7_to_8(sqlite::database& c) {
  return c.exec(
      "DROP TRIGGER runs_count_insert; DROP TRIGGER runs_count_update; "
      "DROP TRIGGER runs_count_delete;",
      "migrate: count the runs in the store's statements");
}

// Schema 8 -> 9: the payloads move to run_payloads, and runs loses its payload column (SQLite
// 3.35 and later drop a column in place). A new file is made at schema 8 and taken here too, so
// that the runs table has one definition.
inline result<void> migrate_sqlite_8_to_9(sqlite::database& c) {
  if (auto r = c.exec(sqlite_run_payloads_table, "migrate: create the run payloads"); !r) return r;
  if (auto r = c.exec("INSERT INTO run_payloads (run_id, payload) SELECT id, payload FROM runs",
                      "migrate: move the payloads");
      !r)
    return r;
  if (auto r = c.exec("ALTER TABLE runs DROP COLUMN payload", "migrate: drop the payload column");
      !r)
    return r;
  return c.exec(sqlite_run_payloads_trigger, "migrate: delete a payload with its run");
}

// Schema 10: the dedupe keys in the order they were remembered (a rowid table; a key seen again
// after its window is remembered anew, at the end), so the expired keys are a prefix of the table
// and pruning needs no index by age. Schema 9's table was WITHOUT ROWID, so its index by age held
// every key's four columns again: about a third of the pages an enqueue's commit wrote to the log
// were the dedupe keys'. And runs_finished goes: prune finds the runs finished before its
// cutoff in id order, below the first run created after it, so a run's end writes no entry for
// it. Durable ingest writes about 10% fewer log pages per webhook with both (docs/perf/store.md,
// "Dedupe keys in the order they were seen").
inline constexpr const char* sqlite_dedupe_keys_table = R"sql(
CREATE TABLE dedupe_keys_v10 (
  id           INTEGER PRIMARY KEY,
  tenant       TEXT NOT NULL,
  integration  TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  dedupe_key   TEXT NOT NULL,
  run_id       INTEGER NOT NULL,
  seen_at      INTEGER NOT NULL
);
)sql";

// Schema 9 -> 10: the keys copied in the order they were seen, the old table (and its index by
// age) dropped, the new one renamed and given its unique index; runs_finished dropped. A new file
// is made at schema 9 and taken here too, so that the tables have one definition.
inline result<void> migrate_sqlite_9_to_10(sqlite::database& c) {
  if (auto r = c.exec(sqlite_dedupe_keys_table, "migrate: create the dedupe keys in order"); !r)
    return r;
  if (auto r = c.exec(
          "INSERT INTO dedupe_keys_v10 (tenant, integration, trigger_name, dedupe_key, run_id, "
          "seen_at) SELECT tenant, integration, trigger_name, dedupe_key, run_id, seen_at FROM "
          "dedupe_keys ORDER BY seen_at, run_id",
          "migrate: copy the dedupe keys in the order they were seen");
      !r)
    return r;
  if (auto r = c.exec("DROP TABLE dedupe_keys; ALTER TABLE dedupe_keys_v10 RENAME TO dedupe_keys; "
                      "CREATE UNIQUE INDEX dedupe_keys_by_key ON dedupe_keys "
                      "(tenant, integration, trigger_name, dedupe_key);",
                      "migrate: index the dedupe keys by key");
      !r)
    return r;
  // Prune walks the runs in id order below the first one created after its cutoff
  // (sqlite_store::prune); every run's end no longer writes an entry here.
  return c.exec("DROP INDEX runs_finished", "migrate: drop the index by finish time");
}

// migrations[v - 1] takes a file from version v to v + 1; each runs in the same write
// transaction as the version bump, so a crash leaves the file at the old version or the new,
// never between.
using sqlite_migration = result<void> (*)(sqlite::database&);
inline constexpr sqlite_migration sqlite_migrations[] = {
    &migrate_sqlite_1_to_2, &migrate_sqlite_2_to_3, &migrate_sqlite_3_to_4,
    &migrate_sqlite_4_to_5, &migrate_sqlite_5_to_6, &migrate_sqlite_6_to_7,
    &migrate_sqlite_7_to_8, &migrate_sqlite_8_to_9, &migrate_sqlite_9_to_10};
static_assert(std::size(sqlite_migrations) == sqlite_schema_version - 1,
              "one migration per schema version after the first");

// Creates the schema in a new file, migrates an older one to the current version, refuses a newer
// one. Runs in a write transaction so that two processes opening a file at once create or migrate
// it once.
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
  if (version < 0 || version > sqlite_schema_version) {
    return make_error(errc::storage,
                      "sqlite store: the file has schema version " + std::to_string(version) +
                          ", newer than version " + std::to_string(sqlite_schema_version) +
                          " that this syncline reads; open it with a syncline that knows version " +
                          std::to_string(version));
  }
  if (version == 0) {
    for (const char* part :
         {sqlite_schema_meta, sqlite_runs_table, sqlite_runs_indexes, sqlite_runs_fair_claim_index,
          sqlite_run_counts_table, sqlite_schema_rest, sqlite_rate_buckets_table,
          sqlite_runs_workflow_version, sqlite_onboarding_and_erasure, sqlite_run_log_table}) {
      if (auto r = c.exec(part, "create schema"); !r) return r;
    }
    if (auto r = migrate_sqlite_8_to_9(c); !r) return r;
    if (auto r = migrate_sqlite_9_to_10(c); !r) return r;
  } else {
    for (int v = version; v < sqlite_schema_version; ++v) {
      if (auto r = sqlite_migrations[v - 1](c); !r) {
        return make_error(r.error().category, "sqlite store: migrating the schema from version " +
                                                  std::to_string(v) + " to " +
                                                  std::to_string(v + 1) + ": " + r.error().message);
      }
    }
  }
  const std::string set_version = "PRAGMA user_version = " + std::to_string(sqlite_schema_version);
  if (auto r = c.exec(set_version.c_str(), "set schema version"); !r) return r;
  return tx->commit();
}

}  // namespace syncline::store::detail
