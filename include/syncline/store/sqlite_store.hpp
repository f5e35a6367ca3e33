// syncline::store::sqlite_store: the embedded store, one SQLite file in WAL mode. Writes go
// through one writer connection under a mutex (SQLite admits one writer at a time anyway);
// reads go through a small pool of reader connections so they never wait behind a commit.
// Several processes may open the same file: every write transaction is BEGIN IMMEDIATE.
// Each store holds a worker_lock beside the file, so the runs of a process that died are taken
// over at once by a store of the same host (claim, and open).
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>
#include <syncline/sqlite/transaction.hpp>
#include <syncline/store/clock.hpp>
#include <syncline/store/detail/connection_pool.hpp>
#include <syncline/store/detail/lease_on_insert.hpp>
#include <syncline/store/detail/sqlite_run_counts.hpp>
#include <syncline/store/role_lock.hpp>
#include <syncline/store/role_name.hpp>
#include <syncline/store/store.hpp>
#include <syncline/store/worker_lock.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline::store {

// PRAGMA synchronous levels that keep a WAL database consistent after a power loss; they differ
// in whether the latest commits survive it (docs/store.md, "Durability").
enum class sync_level {
  normal,  // fsync only at checkpoints: a power loss may roll back the latest commits
  full,    // fsync the WAL at every commit: a commit that returned survives a power loss
  extra,   // full, and fsync the directory after deleting files (rollback-journal modes)
};

struct sqlite_store_options : store_options {
  // How long a write waits for another process's write lock before failing (errc::storage).
  std::chrono::milliseconds busy_timeout{5000};
  // Commits that acknowledge something to the outside: enqueue (a webhook's 200), cursors,
  // echo records, installations, replays.
  sync_level acknowledgement_sync = sync_level::full;
  // Commits that only record progress: claim, renew, complete, retry_later, block events,
  // prune. Losing one to a power loss re-runs work (at-least-once; destinations dedupe by
  // idempotency key) but never loses an event, so they skip the fsync.
  sync_level progress_sync = sync_level::normal;
  std::size_t read_connections = 2;
  // A claim that finds fewer due runs than it may take also takes over the leases of workers of
  // this host that are provably gone (worker_lock.hpp), at most once per this much store time:
  // the look costs a query and a lock probe per other worker, more than the claim itself, and a
  // busy engine claims short often. open() always looks once. 0: at every short claim.
  std::chrono::milliseconds takeover_interval{1000};
};

class sqlite_store final : public store {
 public:
  // Opens or creates the file (and its schema). The path must name a file: readers and writer
  // are separate connections to it, so ":memory:" cannot work. Takes this store's worker lock in
  // the folder "<file>-workers" (created if missing), and takes over at once the leases of the
  // workers of this host whose lock it finds free (their process is gone).
  SYNCLINE_DECL static result<std::unique_ptr<sqlite_store>> open(const std::filesystem::path& file,
                                                                  sqlite_store_options opts = {});

  // Keeps the worker lock's file when runs are still leased by this store (stop() abandoned
  // them), so the next store proves their owner gone and runs them at once.
  SYNCLINE_DECL ~sqlite_store() override;

  const std::filesystem::path& file() const noexcept { return file_; }
  // Names this database in idempotency keys.
  const std::string& store_id() const noexcept { return store_id_; }
  // "<host>/<pid>/<instance>": claim records the worker of a lease as "<worker>@<identity>".
  const std::string& worker_identity() const noexcept { return lock_.identity(); }

  // --- run queue ------------------------------------------------------------------------------

  SYNCLINE_DECL result<std::vector<enqueue_result>> enqueue(std::span<const new_run> runs) override;

  SYNCLINE_DECL result<std::vector<enqueue_result>> enqueue_with_cursor(
      std::span<const new_run> runs, const cursor_update& cursor) override;

  // Records the lease's worker as claim() does ("<worker>@<worker_identity()>").
  SYNCLINE_DECL result<std::vector<enqueue_result>> enqueue_and_lease(
      std::span<const new_run> runs, const lease_request& lease,
      std::vector<claimed_run>& leased) override;

  // Records the worker as "<worker>@<worker_identity()>". When fewer than `max` runs are due,
  // it also takes over the leases of workers of this host that are provably gone (their
  // worker_lock is free), in the same transaction (at most once per takeover_interval).
  SYNCLINE_DECL result<std::vector<claimed_run>> claim(
      std::string_view worker, std::size_t max, std::chrono::milliseconds lease,
      const std::vector<std::string>* runnable = nullptr) override;

  SYNCLINE_DECL result<void> renew_lease(claimed_run& run,
                                         std::chrono::milliseconds lease) override;

  SYNCLINE_DECL result<void> complete(const claimed_run& run, run_status final_status,
                                      std::string_view error = {}) override;

  SYNCLINE_DECL result<void> retry_later(const claimed_run& run, time_point when,
                                         std::string_view error) override;

  // One BEGIN IMMEDIATE ... COMMIT for all of them (at progress_sync, like complete()). A
  // completion refused on its own (stale lease, no such run) is answered and skipped; only a
  // failure of the database itself rolls the whole batch back.
  SYNCLINE_DECL result<std::vector<result<void>>> finish_many(
      std::span<const run_completion> runs, std::span<const block_event_record> events) override;

  // One transaction for both (at acknowledgement_sync when it queues runs, else at
  // progress_sync): the writer connection is one transaction at a time anyway, so the ends cost
  // no transaction of their own.
  SYNCLINE_DECL result<std::vector<enqueue_result>> enqueue_and_finish(
      std::span<const run_completion> ends, std::span<const block_event_record> events,
      std::vector<result<void>>& ended, std::span<const new_run> runs, const lease_request& lease,
      std::vector<claimed_run>& leased) override;

  SYNCLINE_DECL result<std::optional<time_point>> next_due() override;

  result<run_counts> counts() override {
    auto c = readers_.acquire();
    return read_counts(*c);
  }

  // --- run log --------------------------------------------------------------------------------

  SYNCLINE_DECL result<void> append_block_events(
      std::span<const block_event_record> events) override;

  SYNCLINE_DECL result<std::vector<block_event_record>> block_events(std::int64_t run_id) override;

  static constexpr std::size_t max_query_limit = 10'000;

  SYNCLINE_DECL result<std::vector<run_record>> query_runs(const run_query& query) override;

  SYNCLINE_DECL result<run_record> get_run(std::int64_t run_id) override;

  // --- dead letters ---------------------------------------------------------------------------

  SYNCLINE_DECL result<void> replay(std::int64_t run_id) override;

  SYNCLINE_DECL result<std::int64_t> replay_all(const run_filter& filter) override;

  // --- retention ------------------------------------------------------------------------------

  SYNCLINE_DECL result<prune_result> prune(
      std::chrono::system_clock::duration keep_finished) override;

  // --- poll cursors ---------------------------------------------------------------------------

  SYNCLINE_DECL result<std::optional<std::string>> get_cursor(const cursor_key& key) override;

  SYNCLINE_DECL result<void> set_cursor(const cursor_update& cursor) override;

  // --- echo guard -----------------------------------------------------------------------------

  SYNCLINE_DECL result<void> record_echo(const echo_record& written) override;

  SYNCLINE_DECL result<bool> is_echo(const echo_record& received) override;

  // --- installations --------------------------------------------------------------------------

  SYNCLINE_DECL result<void> put_installation(const installation_record& t) override;

  SYNCLINE_DECL result<std::optional<installation_record>> get_installation(
      std::string_view integration, std::string_view id) override;

  SYNCLINE_DECL result<std::vector<installation_record>> list_installations(
      std::string_view integration) override;

  SYNCLINE_DECL result<void> remove_installation(std::string_view integration,
                                                 std::string_view id) override;

  SYNCLINE_DECL result<std::int64_t> replace_installation(const installation_record& t,
                                                          std::int64_t expected_revision) override;

  // --- install states -------------------------------------------------------------------------

  SYNCLINE_DECL result<void> put_install_state(const install_state& s) override;

  // DELETE ... RETURNING in one BEGIN IMMEDIATE: of two takes, in any processes, one deletes.
  SYNCLINE_DECL result<std::optional<install_state>> take_install_state(
      std::string_view state) override;

  // --- erasure --------------------------------------------------------------------------------

  // Pages through runs_by_tenant on a reader; `match` runs with no connection held.
  SYNCLINE_DECL result<std::vector<std::int64_t>> runs_matching(
      std::string_view tenant, const std::function<bool(std::string_view payload)>& match) override;

  SYNCLINE_DECL result<erasure_counts> erase_runs(std::string_view tenant,
                                                  std::span<const std::int64_t> run_ids) override;

  SYNCLINE_DECL result<erasure_counts> erase_tenant(std::string_view tenant) override;

  SYNCLINE_DECL result<std::int64_t> erase_echo_records(
      std::string_view tenant, std::span<const std::string> record_ids) override;

  SYNCLINE_DECL result<std::int64_t> record_erasure(const erasure_record& e) override;

  SYNCLINE_DECL result<std::vector<erasure_record>> erasures(std::string_view tenant) override;

  // --- leadership -----------------------------------------------------------------------------

  // A role is a role_lock in the "<file>-workers" folder: the stores of this host share it.
  SYNCLINE_DECL result<bool> lead(std::string_view role) override;
  SYNCLINE_DECL result<void> resign(std::string_view role) override;

  // --- shared rate limits: one write transaction (BEGIN IMMEDIATE) reads, computes and writes
  // the bucket, so the processes that share the file take turns.
  SYNCLINE_DECL result<std::chrono::nanoseconds> reserve_rate(const rate_bucket& bucket,
                                                              double cost) override;
  SYNCLINE_DECL result<void> observe_rate(const rate_bucket& bucket, double used) override;

 private:
  enum class commit_kind { acknowledgement, progress };

  static constexpr std::int64_t prune_chunk = 1000;
  static constexpr const char* run_columns =
      "SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, status, attempts, "
      "last_error, worker, created_at, updated_at, finished_at, workflow_version";
  // The payload is in run_payloads (schema 9), one index probe a row.
  static constexpr const char* run_columns_with_payload =
      "SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, status, attempts, "
      "last_error, worker, created_at, updated_at, finished_at, workflow_version, "
      "(SELECT payload FROM run_payloads WHERE run_id = runs.id)";
  static constexpr const char* installation_columns =
      "SELECT integration, id, credentials, settings, created_at, updated_at, revision "
      "FROM tenants";
  // ?1 = now. A replayed run keeps its id (and so its idempotency key) and starts its attempts
  // afresh; last_error stays until the next attempt ends.
  static constexpr const char* replay_update =
      "UPDATE runs SET status = 'queued', attempts = 0, due_at = ?1, finished_at = NULL, "
      "updated_at = ?1 WHERE status = 'dead'";

  sqlite_store(std::filesystem::path file, sqlite_store_options opts, sqlite::database writer,
               std::vector<sqlite::database> readers, std::string store_id, worker_lock lock)
      : lock_(std::move(lock)),
        file_(std::move(file)),
        opts_(std::move(opts)),
        store_id_(std::move(store_id)),
        writer_(std::move(writer)),
        readers_(std::move(readers)) {}

  time_point now_() const { return opts_.clock(); }

  std::string idempotency_key(std::int64_t run_id) const {
    return store_id_ + "-" + std::to_string(run_id);
  }

  // Runs `body(writer)` in one BEGIN IMMEDIATE transaction at the durability of `kind`;
  // commits when body succeeds, rolls back when it fails. `erasing`: a privacy erasure, whose
  // deleted bytes must leave the disk too (sqlite::database::erasing).
  template <class F>
  auto write(commit_kind kind, F&& body, bool erasing = false)
      -> std::invoke_result_t<F&, sqlite::database&> {
    std::lock_guard lock(writer_mu_);
    const sync_level want =
        kind == commit_kind::acknowledgement ? opts_.acknowledgement_sync : opts_.progress_sync;
    if (writer_sync_ != want) {
      // Changing the level between transactions is allowed and cheap. The WAL is appended in
      // commit order and an fsync covers all of it, so a durable commit also makes every earlier
      // one durable: a power loss leaves a prefix of the commit history.
      const char* pragma = want == sync_level::normal ? "PRAGMA synchronous = NORMAL"
                           : want == sync_level::full ? "PRAGMA synchronous = FULL"
                                                      : "PRAGMA synchronous = EXTRA";
      auto set = writer_.prepare(pragma, "set synchronous");  // cached: one of three texts
      if (!set) return std::move(set).error();
      if (auto r = set->exec(); !r) return std::move(r).error();
      writer_sync_ = want;
    }
    auto once = [&]() -> std::invoke_result_t<F&, sqlite::database&> {
      auto tx = sqlite::write_transaction::begin(writer_);
      if (!tx) return std::move(tx).error();
      auto out = body(writer_);
      if (!out) return out;  // tx rolls back
      if (auto r = tx->commit(); !r) return std::move(r).error();
      return out;
    };
    return erasing ? writer_.erasing(once) : once();
  }

  SYNCLINE_DECL static result<void> validate_all(std::span<const new_run> runs);

  // In the writer's transaction: the bucket drained to now, changed by `change`, written back;
  // answers change's answer (the seconds to wait).
  template <class Change>
  result<double> update_rate_bucket(const rate_bucket& bucket, Change change);

  // In the writer's transaction. all_or_nothing: a run that does not fit fails the whole call
  // (errc::unavailable, the caller's transaction rolls back) instead of answering queue_full.
  SYNCLINE_DECL result<std::vector<enqueue_result>> enqueue_in(
      sqlite::database& c, std::span<const new_run> runs, bool all_or_nothing,
      detail::lease_on_insert leasing = {});

  SYNCLINE_DECL result<std::optional<std::int64_t>> find_recent_key(sqlite::database& c,
                                                                    const new_run& r,
                                                                    time_point now);

  // A key whose window passed is still in the table until pruned: it now names the new run.
  SYNCLINE_DECL static result<void> remember_key(sqlite::database& c, const new_run& r,
                                                 std::int64_t run_id, time_point now);

  // Queued, or with `leased_to` running under its lease, held by `holder`, from the start
  // (enqueue_and_lease).
  SYNCLINE_DECL static result<std::int64_t> insert_run(sqlite::database& c, const new_run& r,
                                                       time_point now,
                                                       const claimed_run* leased_to = nullptr,
                                                       std::string_view holder = {});

  SYNCLINE_DECL result<void> upsert_cursor(sqlite::database& c, const cursor_update& cursor);

  SYNCLINE_DECL static result<run_counts> read_counts(sqlite::database& c);

  SYNCLINE_DECL static result<std::optional<run_status>> status_of(sqlite::database& c,
                                                                   std::int64_t run_id);

  // In the writer's transaction: the block events, then each end (finish_many's answers).
  SYNCLINE_DECL result<std::vector<result<void>>> finish_in(
      sqlite::database& c, std::span<const run_completion> runs,
      std::span<const block_event_record> events);

  // In the writer's transaction: ends `run` with a final status, or gives it back until `when`
  // (retry_wait). errc::conflict when this worker's lease is no longer valid.
  // end_run in a transaction of its own (complete, retry_later).
  SYNCLINE_DECL result<void> end_one(const claimed_run& run, run_status status,
                                     std::string_view error, time_point when);

  // `counted` gets the run's move between statuses.
  SYNCLINE_DECL result<void> end_run(sqlite::database& c, const claimed_run& run, run_status status,
                                     std::string_view error, time_point when,
                                     detail::run_count_moves& counted);

  // In the writer's transaction: leases up to `max` due runs for `worker`, appended to `out`.
  SYNCLINE_DECL result<void> lease_due(sqlite::database& c, std::string_view worker,
                                       std::size_t max, time_point now, time_point until,
                                       const std::optional<std::string>& runnable,
                                       std::vector<claimed_run>& out);

  // The workers holding a lease that has not expired at `now`, each once.
  SYNCLINE_DECL static result<std::vector<std::string>> leasing_workers(sqlite::database& c,
                                                                        time_point now);

  // In the writer's transaction: proves gone each other worker that holds a lease (proofs are
  // appended to `gone`), then releases the leases of every worker in `gone`. Answers how many
  // runs were released.
  SYNCLINE_DECL result<std::int64_t> release_gone_workers(
      sqlite::database& c, time_point now, std::vector<worker_lock::gone_worker>& gone);

  // In the writer's transaction: the unexpired leases of the workers in `gone` end now. The
  // runs stay running with their old token until claimed again, as after a lease expiry, so a
  // late answer of the old worker is refused once they are (errc::conflict).
  SYNCLINE_DECL static result<std::int64_t> release_leases(
      sqlite::database& c, std::span<const std::string> workers,
      std::span<const worker_lock::gone_worker> gone, time_point now);

  // After an UPDATE guarded by `lease_token = ?`: no row changed means the lease is not ours.
  SYNCLINE_DECL static result<void> lease_held(sqlite::database& c, std::int64_t run_id,
                                               std::string_view action);

  SYNCLINE_DECL static void add_filter(std::string& sql, std::vector<sqlite::value>& params,
                                       const run_filter& f);

  SYNCLINE_DECL static run_record read_run(const sqlite::statement& q, bool with_payload);

  SYNCLINE_DECL static installation_record read_installation(const sqlite::statement& q);

  // Deletes the dedupe keys seen at or before `cutoff`, in chunks; answers how many.
  SYNCLINE_DECL result<std::int64_t> prune_dedupe_keys(time_point cutoff);

  // sql: ?1 = cutoff, ?2 = chunk size.
  SYNCLINE_DECL result<std::int64_t> delete_in_chunks(const char* sql, std::string_view what,
                                                      time_point cutoff);

  worker_lock lock_;  // first: it is let go after every connection to the file closed
  std::filesystem::path file_;
  sqlite_store_options opts_;
  std::string store_id_;
  std::mutex writer_mu_;
  sqlite::database writer_;
  std::optional<sync_level> writer_sync_;    // the level last set on writer_
  std::optional<time_point> last_takeover_;  // the last short claim that looked; under writer_mu_
  detail::connection_pool readers_;
  std::mutex roles_mu_;
  std::map<std::string, role_lock, std::less<>> roles_;  // the roles this store holds
};

}  // namespace syncline::store

#if SYNCLINE_HEADER_ONLY
#include <syncline/store/impl/sqlite_store.ipp>
#include <syncline/store/impl/sqlite_store_claim.ipp>
#include <syncline/store/impl/sqlite_store_erasure.ipp>
#include <syncline/store/impl/sqlite_store_installations.ipp>
#endif
