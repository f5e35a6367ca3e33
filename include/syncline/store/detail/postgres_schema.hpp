// postgres_store's schema, its creation and its migrations. The tables are sqlite_store's
// (docs/store.md explains each), in a PostgreSQL schema of their own (postgres_store_options::
// schema) so that they cannot meet an application's tables of the same name. The version lives in
// the table schema_version, so a newer database is refused rather than misread.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/postgres/connection.hpp>

#include <array>
#include <string>
#include <string_view>

namespace syncline::store::detail {

inline constexpr int postgres_schema_version = 5;

// Times are bigint nanoseconds since the Unix epoch, taken from the store's clock (not the
// server's), as in SQLite: tests move time, and every store of a database agrees with its own
// engine about "now".
inline constexpr const char* postgres_schema_v1 = R"sql(
CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
-- Names this database in idempotency keys, so that a database created anew (ids start again at
-- 1) cannot hand a destination a key it already saw.
INSERT INTO meta (key, value) VALUES ('store_id', substr(md5(random()::text || clock_timestamp()::text), 1, 16));

-- The run queue and the run log are one table: a run is queued, leased and finished in place.
-- An identity is never reused, also after pruning: idempotency keys are built on it.
CREATE TABLE runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant       text NOT NULL,
  integration  text NOT NULL,
  workflow     text NOT NULL,
  trigger_name text NOT NULL,
  dedupe_key   text NOT NULL,
  -- bytea: stored exactly as given, as SQLite stores it (text would refuse a NUL byte or
  -- invalid UTF-8, and one bad event would fail a whole group commit).
  payload      bytea NOT NULL,
  status       text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'skipped',
                                               'retry_wait', 'dead')),
  attempts     integer NOT NULL DEFAULT 0,
  -- When the run next needs a worker: queued -> when queued, retry_wait -> the retry time,
  -- running -> the lease expiry. NULL once finished.
  due_at       bigint,
  lease_token  text,
  worker       text NOT NULL DEFAULT '',
  last_error   text NOT NULL DEFAULT '',
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL,
  finished_at  bigint,
  CHECK ((due_at IS NULL) = (status IN ('succeeded', 'skipped', 'dead'))),
  CHECK ((lease_token IS NOT NULL) = (status = 'running'))
);
CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
-- Fair claims: the tenants with unfinished runs are walked one index probe each, and each
-- tenant's due runs are a range of this index, however long another tenant's backlog is.
CREATE INDEX runs_due_by_tenant ON runs (tenant, due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX runs_finished ON runs (finished_at, id) WHERE finished_at IS NOT NULL;
CREATE INDEX runs_by_tenant ON runs (tenant, id);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_dead ON runs (id) WHERE status = 'dead';

-- Runs per status, kept by statement triggers in the same transactions: backpressure reads the
-- queue depth in O(1) on every enqueue.
CREATE TABLE run_counts (
  status text PRIMARY KEY,
  n      bigint NOT NULL
);
INSERT INTO run_counts (status, n) VALUES
  ('queued', 0), ('running', 0), ('succeeded', 0), ('skipped', 0), ('retry_wait', 0), ('dead', 0);

-- One counter update per status a statement changes, not one per row. The rows are locked in
-- one order (by status) first, so two transactions that change the same counters cannot
-- deadlock on them.
-- The functions keep the schema they were created in (SET search_path FROM CURRENT), so that a
-- statement of any session, whatever its search_path, keeps the counts.
-- A statement's change per status, applied to the counters. The rows are locked in one order
-- (by status) first, so two transactions that change the same counters cannot deadlock on them.
CREATE FUNCTION apply_run_count_delta(delta jsonb) RETURNS void LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM run_counts WHERE delta ? status ORDER BY status FOR UPDATE;
  UPDATE run_counts SET n = n + (delta ->> status)::bigint WHERE delta ? status;
END $$;
-- One counter update per status a statement changes, not one per row.
CREATE FUNCTION runs_count_insert() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, k) FROM
    (SELECT status, count(*) AS k FROM new_rows GROUP BY status) d), '{}'));
  RETURN NULL;
END $$;
CREATE FUNCTION runs_count_delete() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, -k) FROM
    (SELECT status, count(*) AS k FROM old_rows GROUP BY status) d), '{}'));
  RETURN NULL;
END $$;
CREATE FUNCTION runs_count_update() RETURNS trigger LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM apply_run_count_delta(coalesce((SELECT jsonb_object_agg(status, k) FROM
    (SELECT status, sum(k) AS k FROM
      (SELECT status, 1 AS k FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
     GROUP BY status HAVING sum(k) <> 0) d), '{}'));
  RETURN NULL;
END $$;
CREATE TRIGGER runs_count_insert AFTER INSERT ON runs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION runs_count_insert();
CREATE TRIGGER runs_count_update AFTER UPDATE ON runs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION runs_count_update();
CREATE TRIGGER runs_count_delete AFTER DELETE ON runs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION runs_count_delete();

-- Separate from runs so that the dedupe window and run retention are independent.
CREATE TABLE dedupe_keys (
  tenant       text NOT NULL,
  integration  text NOT NULL,
  trigger_name text NOT NULL,
  dedupe_key   text NOT NULL,
  run_id       bigint NOT NULL,
  seen_at      bigint NOT NULL,
  PRIMARY KEY (tenant, integration, trigger_name, dedupe_key)
);
CREATE INDEX dedupe_keys_by_age ON dedupe_keys (seen_at);

-- seq keeps the order events were appended in (SQLite's rowid).
CREATE TABLE block_events (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint NOT NULL,
  attempt     integer NOT NULL,
  position    integer NOT NULL,
  block       text NOT NULL,
  started_at  bigint NOT NULL,
  finished_at bigint NOT NULL,
  outcome     text NOT NULL,
  error       text NOT NULL
);
CREATE INDEX block_events_by_run ON block_events (run_id, seq);

CREATE TABLE cursors (
  tenant       text NOT NULL,
  integration  text NOT NULL,
  trigger_name text NOT NULL,
  value        text NOT NULL,
  updated_at   bigint NOT NULL,
  PRIMARY KEY (tenant, integration, trigger_name)
);

CREATE TABLE echoes (
  tenant      text NOT NULL,
  integration text NOT NULL,
  record_id   text NOT NULL,
  fingerprint text NOT NULL,
  written_at  bigint NOT NULL,
  PRIMARY KEY (tenant, integration, record_id, fingerprint)
);
CREATE INDEX echoes_by_age ON echoes (written_at);

CREATE TABLE tenants (
  integration text NOT NULL,
  id          text NOT NULL,
  credentials text NOT NULL,
  settings    text NOT NULL,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (integration, id)
);
)sql";

// Schema 1 -> 2: the rate limit buckets that every process of one database shares (store.hpp,
// reserve_rate): a level and when it was last drained; capacity and leak rate come with each
// call. No row changes.
inline constexpr const char* postgres_migrate_1_to_2 = R"sql(
CREATE TABLE rate_buckets (
  name       text PRIMARY KEY,
  level      double precision NOT NULL,
  updated_at bigint NOT NULL
);
)sql";

// Schema 2 -> 3: runs record the version of the workflow that queued them (syncline::version);
// the runs queued before were version 1's, the only version there was.
inline constexpr const char* postgres_migrate_2_to_3 = R"sql(
ALTER TABLE runs ADD COLUMN workflow_version integer NOT NULL DEFAULT 1
  CHECK (workflow_version >= 1);
)sql";

// Schema 3 -> 4 (issue 14, Shopify onboarding and privacy erasure): the single-use OAuth states,
// the installations' revisions (compare-and-set of a refreshed token: store.hpp,
// replace_installation; rows put before were put at least once, so revision 1), and the log of
// erasures (counts only: what was erased is gone, and the log must not keep it).
inline constexpr const char* postgres_migrate_3_to_4 = R"sql(
CREATE TABLE install_states (
  state       text PRIMARY KEY,
  integration text NOT NULL,
  shop        text NOT NULL,
  expires_at  bigint NOT NULL,
  created_at  bigint NOT NULL
);
CREATE INDEX install_states_by_expiry ON install_states (expires_at);

ALTER TABLE tenants ADD COLUMN revision bigint NOT NULL DEFAULT 1 CHECK (revision >= 1);

CREATE TABLE erasures (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant       text NOT NULL,
  kind         text NOT NULL,
  request      text NOT NULL,
  runs         bigint NOT NULL,
  block_events bigint NOT NULL,
  dedupe_keys  bigint NOT NULL,
  echo_records bigint NOT NULL,
  cursors      bigint NOT NULL,
  at           bigint NOT NULL
);
CREATE INDEX erasures_by_tenant ON erasures (tenant, id);
)sql";

// Schema 4 -> 5 (issue 13, runs per second), two changes measured in docs/perf/store.md:
// - The run log becomes one row per run attempt (and append) holding that attempt's block events
//   as a JSON array (detail/run_log_codec.hpp), instead of one row per block: a run's completion
//   inserts one row and one index entry rather than five of each. The primary key orders a run's
//   rows as they were appended and is the only index. block_events' rows move over grouped by
//   run and attempt, in the order they were appended.
// - The run counters are sharded: a row per status and shard (0-15), each session changing the
//   shard of its backend (run_count_shard()), and a count is the sum of its status's rows. With
//   one row per status, every claim, completion and enqueue of every process queued on the same
//   few row locks, an enqueue holding 'queued' through its WAL flush. Enqueuers (and replays, the
//   other way a run becomes unfinished) still run one at a time, for an exact bound and no race
//   for a dedupe key, on a row of their own: enqueue_turn. A row of a shard may go below zero
//   (a run counted in at one shard and out at another); the sums are exact.
inline constexpr const char* postgres_migrate_4_to_5 = R"sql(
CREATE TABLE run_log (
  run_id  bigint NOT NULL,
  seq     bigint GENERATED ALWAYS AS IDENTITY,
  attempt integer NOT NULL,
  events  json NOT NULL,
  PRIMARY KEY (run_id, seq)
);
INSERT INTO run_log (run_id, attempt, events)
SELECT run_id, attempt,
       json_agg(json_build_object('position', position, 'block', block, 'started_at', started_at,
                                  'finished_at', finished_at, 'outcome', outcome, 'error', error)
                ORDER BY seq)
  FROM block_events GROUP BY run_id, attempt ORDER BY run_id, min(seq);
DROP TABLE block_events;

ALTER TABLE run_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE run_counts DROP CONSTRAINT run_counts_pkey;
ALTER TABLE run_counts ADD PRIMARY KEY (status, shard);
ALTER TABLE run_counts ALTER COLUMN shard DROP DEFAULT;
INSERT INTO run_counts (status, shard, n)
SELECT c.status, g.i, 0 FROM run_counts c, generate_series(1, 15) AS g(i);
CREATE FUNCTION run_count_shard() RETURNS smallint LANGUAGE sql STABLE
  AS 'SELECT (pg_backend_pid() % 16)::smallint';
CREATE OR REPLACE FUNCTION apply_run_count_delta(delta jsonb) RETURNS void LANGUAGE plpgsql
  SET search_path FROM CURRENT AS $$
DECLARE
  mine smallint := run_count_shard();
BEGIN
  PERFORM 1 FROM run_counts WHERE shard = mine AND delta ? status ORDER BY status FOR UPDATE;
  UPDATE run_counts SET n = n + (delta ->> status)::bigint WHERE shard = mine AND delta ? status;
END $$;
CREATE TABLE enqueue_turn (
  turn boolean PRIMARY KEY DEFAULT true CHECK (turn)
);
INSERT INTO enqueue_turn DEFAULT VALUES;
)sql";

// postgres_migrations[v - 1] takes a database from version v to v + 1: statements run in the
// transaction that bumps the version, so a crash leaves the database at the old version or the
// new, never between (PostgreSQL's DDL is transactional). A new database is made at version 1
// and migrated, so there is one text of each version's change.
using postgres_migration = const char*;
inline constexpr std::array<postgres_migration, postgres_schema_version - 1> postgres_migrations{
    postgres_migrate_1_to_2, postgres_migrate_2_to_3, postgres_migrate_3_to_4,
    postgres_migrate_4_to_5};

// A PostgreSQL identifier as a quoted name ("a""b"), so any schema name is taken literally.
inline std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) {
    out += ch;
    if (ch == '"') out += '"';
  }
  return out + "\"";
}

// Creates the schema in an empty database, migrates an older one, refuses a newer one. One
// transaction, under a transaction advisory lock, so that stores opening a database at once
// create or migrate it once.
inline result<void> ensure_postgres_schema(postgres::connection& c, std::string_view schema) {
  const std::string name = quote_identifier(schema);
  auto fail = [](::syncline::error e) { return result<void>(std::move(e)); };
  if (auto r = c.exec("BEGIN"); !r) return fail(std::move(r).error());
  auto body = [&]() -> result<void> {
    // The key is fixed ("syncline" in ASCII): every store of any database serialises here, for
    // the moment it opens.
    if (auto r = c.exec("SELECT pg_advisory_xact_lock(8315163048385129829)"); !r) {
      return std::move(r).error();
    }
    if (auto r = c.exec("CREATE SCHEMA IF NOT EXISTS " + name); !r) return std::move(r).error();
    if (auto r = c.exec("SET LOCAL search_path TO " + name); !r) return std::move(r).error();
    if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
        !r) {
      return std::move(r).error();
    }
    auto v = c.exec("SELECT max(version) FROM schema_version");
    if (!v) return std::move(v).error();
    const int version = PQgetisnull(v->get(), 0, 0) ? 0 : std::atoi(PQgetvalue(v->get(), 0, 0));
    if (version == postgres_schema_version) return {};
    if (version < 0 || version > postgres_schema_version) {
      return make_error(errc::storage,
                        "postgres store: the database has schema version " +
                            std::to_string(version) + ", newer than version " +
                            std::to_string(postgres_schema_version) +
                            " that this syncline reads; open it with a syncline that knows "
                            "version " +
                            std::to_string(version));
    }
    int from = version;
    if (from == 0) {
      if (auto r = c.exec(postgres_schema_v1); !r) return std::move(r).error();
      from = 1;
    }
    for (; from < postgres_schema_version; ++from) {
      if (auto r = c.exec(postgres_migrations[static_cast<std::size_t>(from - 1)]); !r) {
        return make_error(r.error().category, "postgres store: migrating the schema from version " +
                                                  std::to_string(from) + " to " +
                                                  std::to_string(from + 1) + ": " +
                                                  r.error().message);
      }
    }
    if (auto r = c.exec("DELETE FROM schema_version"); !r) return std::move(r).error();
    const std::string set = "INSERT INTO schema_version (version) VALUES (" +
                            std::to_string(postgres_schema_version) + ")";
    if (auto r = c.exec(set); !r) return std::move(r).error();
    return {};
  };
  auto out = body();
  if (!out) {
    (void)c.exec("ROLLBACK");
    return out;
  }
  if (auto r = c.exec("COMMIT"); !r) return fail(std::move(r).error());
  return {};
}

}  // namespace syncline::store::detail
