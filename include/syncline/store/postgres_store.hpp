// syncline::store::postgres_store: the store on a PostgreSQL server, for many worker processes on
// many machines. Each call borrows one connection of a small pool (postgres_store_options::
// connections), so calls from any thread run side by side; workers take disjoint runs with
// FOR UPDATE SKIP LOCKED. Each store holds a session advisory lock for its life, so the runs of a
// store whose session ended (its process died, or it was closed) are taken over at once by any
// other store of the database (docs/store.md, "Taking over").
//
// Opt-in: it needs libpq (CMake target syncline::postgres) and is header-only, so a user of the
// SQLite store needs neither.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/postgres/connection.hpp>
#include <syncline/postgres/connection_pool.hpp>
#include <syncline/postgres/listener.hpp>
#include <syncline/postgres/parameters.hpp>
#include <syncline/store/clock.hpp>
#include <syncline/store/detail/lease_on_insert.hpp>
#include <syncline/store/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace syncline::store {

struct postgres_store_options : store_options {
  // Connections in the pool: how many calls run at once. One more holds the advisory lock, and
  // one more LISTENs while someone watches for new runs (watch_new_runs).
  std::size_t connections = 4;
  // The PostgreSQL schema that holds the store's tables (created if missing), so that they cannot
  // meet an application's tables of the same name in the database.
  std::string schema = "syncline";
  // As sqlite_store_options::takeover_interval: a claim that finds fewer due runs than it may
  // take looks for stores whose session ended at most once per this much store time. 0: at
  // every short claim.
  std::chrono::milliseconds takeover_interval{1000};
};

class postgres_store final : public store {
 public:
  // Connects (`conninfo`: a libpq connection string or URI; it may hold a password, which no
  // error will show), creates or migrates the schema, takes this store's advisory lock, and
  // takes over at once the leases of stores whose session ended.
  static result<std::unique_ptr<postgres_store>> open(std::string conninfo,
                                                      postgres_store_options opts = {});

  // Lets its advisory locks go, then ends the sessions: the runs this store still leases (stop()
  // abandoned them) and the roles it held are free for the other stores when this returns. (A
  // session that just ends frees them only once the server has noticed, a moment later.)
  ~postgres_store() override;

  // Names this database in idempotency keys.
  const std::string& store_id() const noexcept { return store_id_; }
  // "<host>/<pid>/<16 hex digits of the advisory lock key>": claim records the worker of a lease
  // as "<worker>@<worker_identity()>".
  const std::string& worker_identity() const noexcept { return identity_; }

  // --- run queue ------------------------------------------------------------------------------

  result<std::vector<enqueue_result>> enqueue(std::span<const new_run> runs) override;
  result<std::vector<enqueue_result>> enqueue_with_cursor(std::span<const new_run> runs,
                                                          const cursor_update& cursor) override;
  // Records the lease's worker as claim() does ("<worker>@<worker_identity()>").
  result<std::vector<enqueue_result>> enqueue_and_lease(std::span<const new_run> runs,
                                                        const lease_request& lease,
                                                        std::vector<claimed_run>& leased) override;
  // Round robin over the tenants with due runs (each tenant's oldest due first). When fewer than
  // `max` are due, it also takes over the leases of stores whose session ended, in the same
  // transaction (at most once per takeover_interval).
  result<std::vector<claimed_run>> claim(
      std::string_view worker, std::size_t max, std::chrono::milliseconds lease,
      const std::vector<std::string>* runnable = nullptr) override;
  result<void> renew_lease(claimed_run& run, std::chrono::milliseconds lease) override;
  result<void> complete(const claimed_run& run, run_status final_status,
                        std::string_view error = {}) override;
  result<void> retry_later(const claimed_run& run, time_point when,
                           std::string_view error) override;
  // One transaction: the block events in multi-row INSERTs, the completions in one UPDATE.
  result<std::vector<result<void>>> finish_many(
      std::span<const run_completion> runs, std::span<const block_event_record> events) override;
  result<std::optional<time_point>> next_due() override;
  result<run_counts> counts() override;

  // --- run log --------------------------------------------------------------------------------

  result<void> append_block_events(std::span<const block_event_record> events) override;
  result<std::vector<block_event_record>> block_events(std::int64_t run_id) override;
  static constexpr std::size_t max_query_limit = 10'000;
  result<std::vector<run_record>> query_runs(const run_query& query) override;
  result<run_record> get_run(std::int64_t run_id) override;

  // --- dead letters, retention ----------------------------------------------------------------

  result<void> replay(std::int64_t run_id) override;
  result<std::int64_t> replay_all(const run_filter& filter) override;
  result<prune_result> prune(std::chrono::system_clock::duration keep_finished) override;

  // --- poll cursors, echo guard, installations ------------------------------------------------

  result<std::optional<std::string>> get_cursor(const cursor_key& key) override;
  result<void> set_cursor(const cursor_update& cursor) override;
  result<void> record_echo(const echo_record& written) override;
  result<bool> is_echo(const echo_record& received) override;
  result<void> put_installation(const installation_record& t) override;
  result<std::optional<installation_record>> get_installation(std::string_view integration,
                                                              std::string_view id) override;
  result<std::vector<installation_record>> list_installations(
      std::string_view integration) override;
  result<void> remove_installation(std::string_view integration, std::string_view id) override;
  result<std::int64_t> replace_installation(const installation_record& t,
                                            std::int64_t expected_revision) override;

  // --- install states: DELETE ... RETURNING; a second take waits for the first's row lock and
  // finds the row gone.

  result<void> put_install_state(const install_state& s) override;
  result<std::optional<install_state>> take_install_state(std::string_view state) override;

  // --- erasure: erase_runs and erase_tenant take every run counter first (as claims and
  // completions do), so they wait for the queue's writers rather than deadlock with them.

  result<std::vector<std::int64_t>> runs_matching(
      std::string_view tenant, const std::function<bool(std::string_view payload)>& match) override;
  result<erasure_counts> erase_runs(std::string_view tenant,
                                    std::span<const std::int64_t> run_ids) override;
  result<erasure_counts> erase_tenant(std::string_view tenant) override;
  result<std::int64_t> erase_echo_records(std::string_view tenant,
                                          std::span<const std::string> record_ids) override;
  result<std::int64_t> record_erasure(const erasure_record& e) override;
  result<std::vector<erasure_record>> erasures(std::string_view tenant) override;

  // --- leadership -----------------------------------------------------------------------------

  // A role is a session advisory lock on the connection that holds this store's own lock, keyed
  // by the database's store id and the role's name: free when this store's session ends (its
  // process died, it was closed, or the server restarted), and taken again by lead() after a
  // reconnect only if no other store took it meanwhile.
  result<bool> lead(std::string_view role) override;
  result<void> resign(std::string_view role) override;

  // --- shared rate limits: one transaction locks the bucket's row (SELECT ... FOR UPDATE),
  // computes and writes it, so the stores of the database take turns on each bucket.
  result<std::chrono::nanoseconds> reserve_rate(const rate_bucket& bucket, double cost) override;
  result<void> observe_rate(const rate_bucket& bucket, double used) override;

  // --- waking an idle worker ------------------------------------------------------------------

  // LISTEN/NOTIFY: enqueue, enqueue_with_cursor, replay and replay_all announce their runs with
  // pg_notify on this schema's channel, in their transaction (delivered at commit; several in
  // one transaction fold into one). Watching opens one more session, LISTENing on a thread of
  // its own (postgres/listener.hpp); a lost session is connected again, and `wake` called once
  // then. Enqueue never waits for the listener.
  bool watch_new_runs(std::function<void()> wake) override;
  void unwatch_new_runs() override;
  bool concurrent_writes() const noexcept override { return true; }
  // The channel: one per schema, so stores of other schemas do not wake each other.
  const std::string& new_runs_channel() const noexcept { return channel_; }

 private:
  enum class commit_kind { acknowledgement, progress };
  using connection = postgres::connection;
  using parameters = postgres::parameters;
  using rows = postgres::result_set;

  static constexpr std::int64_t prune_chunk = 1000;

  postgres_store(secret conninfo, postgres_store_options opts, postgres::connection_pool pool,
                 connection lock_connection, std::int64_t lock_key, std::string store_id)
      : conninfo_(std::move(conninfo)),
        opts_(std::move(opts)),
        pool_(std::move(pool)),
        lock_connection_(std::move(lock_connection)),
        lock_key_(lock_key),
        store_id_(std::move(store_id)),
        identity_(make_identity(lock_key)),
        channel_(new_runs_channel_of(opts_.schema)) {}

  time_point now_() const { return opts_.clock(); }
  std::string idempotency_key(std::int64_t run_id) const {
    return store_id_ + "-" + std::to_string(run_id);
  }
  static std::string make_identity(std::int64_t key);
  static std::string new_runs_channel_of(std::string_view schema);
  // In a write's transaction that queued runs: wakes the watchers at its commit.
  result<void> announce_new_runs(connection& c);
  // The listener's callback: calls the watcher's wake, if any, under watch_mu_.
  void wake_watcher();

  // Runs `body(connection)` in one transaction at the durability of `kind`; commits when body
  // succeeds, rolls back when it fails.
  template <class F>
  auto write(commit_kind kind, F&& body) -> std::invoke_result_t<F&, connection&> {
    auto c = pool_.acquire();
    if (!c) return std::move(c).error();
    // Acknowledgements keep the session's synchronous_commit = on (set at connect): COMMIT
    // returns once the WAL is flushed. Progress skips the wait: the WAL is still written and
    // flushed in commit order, so a crash loses a suffix of progress commits, never an
    // acknowledged one (docs/store.md, "Durability").
    const char* begin = kind == commit_kind::acknowledgement
                            ? "BEGIN"
                            : "BEGIN; SET LOCAL synchronous_commit = off";
    if (auto r = (*c)->exec(begin); !r) return std::move(r).error();
    auto out = body(**c);
    if (!out) {
      (void)(*c)->exec("ROLLBACK");
      return out;
    }
    if (auto r = (*c)->exec("COMMIT"); !r) return std::move(r).error();
    return out;
  }

  // Runs `body(connection)` outside a transaction (one statement reads a consistent snapshot).
  template <class F>
  auto read(F&& body) -> std::invoke_result_t<F&, connection&> {
    auto c = pool_.acquire();
    if (!c) return std::move(c).error();
    return body(**c);
  }

  static result<rows> exec(connection& c, const std::string& sql, const parameters& p) {
    if (auto v = p.check(); !v) return std::move(v).error();
    return c.exec(sql, p.view());
  }
  // For a statement of fixed text on the hot path: prepared once per session.
  static result<rows> exec_prepared(connection& c, const std::string& sql, const parameters& p) {
    if (auto v = p.check(); !v) return std::move(v).error();
    return c.exec_prepared(sql, p.view());
  }

  // In one transaction: the bucket drained to now, changed by `change`, written back; answers
  // change's answer (the seconds to wait).
  template <class Change>
  result<double> update_rate_bucket(const rate_bucket& bucket, Change change);

  result<std::vector<enqueue_result>> enqueue_in(connection& c, std::span<const new_run> runs,
                                                 bool all_or_nothing,
                                                 detail::lease_on_insert leasing = {});
  result<void> upsert_cursor(connection& c, const cursor_update& cursor);
  static result<run_counts> read_counts(connection& c);
  result<std::vector<result<void>>> end_runs(connection& c, std::span<const run_completion> runs);
  // The run log's rows for `events` (detail/run_log_codec.hpp), in multi-row INSERTs.
  static result<void> insert_run_log(connection& c, std::span<const block_event_record> events);
  result<void> lease_due(connection& c, std::string_view worker, std::size_t max, time_point now,
                         time_point until, const std::vector<std::string>* runnable,
                         std::vector<claimed_run>& out);
  result<std::int64_t> release_gone_stores(connection& c, time_point now);
  // Takes this store's advisory lock again after its session was lost (a server restart).
  void keep_lock();
  // keep_lock's work, under lock_mu_. A lost session took the roles with it.
  void keep_lock_locked();
  // The two 32-bit keys of a role's advisory lock: another key space than the stores' own
  // 64-bit keys, so the two never collide.
  std::string role_lock_keys(std::string_view role) const;
  static std::string run_filter_sql(parameters& p, const run_filter& f);
  static run_record read_run(const rows& r, int row, bool with_payload);
  static installation_record read_installation(const rows& r, int row);

  secret conninfo_;
  postgres_store_options opts_;
  postgres::connection_pool pool_;
  std::mutex lock_mu_;  // guards lock_connection_ and lock_held_
  connection lock_connection_;
  std::int64_t lock_key_;
  bool lock_held_ = true;                     // false after its session was lost, until taken again
  std::set<std::string, std::less<>> roles_;  // the roles held on lock_connection_; lock_mu_
  std::string store_id_;
  std::string identity_;
  std::mutex takeover_mu_;
  std::optional<time_point> last_takeover_;  // the last short claim that looked; takeover_mu_
  std::string channel_;
  std::mutex watch_mu_;         // held while wake_ runs, so unwatch_new_runs waits for it
  std::function<void()> wake_;  // watch_mu_
  std::unique_ptr<postgres::listener> listener_;  // watch_mu_
};

}  // namespace syncline::store

#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/detail/postgres_store_claim.hpp>
#include <syncline/store/detail/postgres_store_erasure.hpp>
#include <syncline/store/detail/postgres_store_installations.hpp>
#include <syncline/store/detail/postgres_store_rates.hpp>
#include <syncline/store/detail/postgres_store_roles.hpp>
#include <syncline/store/detail/postgres_store_wake.hpp>
