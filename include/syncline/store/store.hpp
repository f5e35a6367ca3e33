// syncline::store::store: everything the engine persists, behind one small interface that the
// embedded SQLite store and a PostgreSQL store both implement. docs/store.md gives the schema,
// the durability argument and the PostgreSQL mapping of each call.
//
// Every call is thread-safe and every write is one transaction: a call either happens entirely
// or not at all. Errors are errc::storage (the database failed; transient), errc::invalid_input
// (the call was malformed), errc::not_found, errc::conflict (a stale lease), errc::unavailable
// (the queue is full).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/clock.hpp>
#include <syncline/store/cursor.hpp>
#include <syncline/store/echo_record.hpp>
#include <syncline/store/erasure.hpp>
#include <syncline/store/install_state.hpp>
#include <syncline/store/installation_record.hpp>
#include <syncline/store/rate_bucket.hpp>
#include <syncline/store/run.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::store {

// The policy every store implementation applies in the same way.
struct store_options {
  clock_fn clock = system_now;
  // A trigger event whose dedupe key was seen this recently is answered `duplicate`. Shopify
  // retries a failed delivery for up to 4 hours, so the default keeps keys well past that.
  std::chrono::system_clock::duration dedupe_window = std::chrono::hours(48);
  // How long what a workflow wrote to the app is remembered by the echo guard. As long as the
  // dedupe window: Shopify redelivers for up to 4 hours, and an echo that came back after the
  // guard forgot the write would reach the application as a new merchant order.
  std::chrono::system_clock::duration echo_window = std::chrono::hours(48);
  // Backpressure: runs not yet finished (queued, running, retry_wait) that the queue holds.
  // Past it enqueue answers queue_full; 0 means no bound.
  std::int64_t max_unfinished_runs = 100'000;
};

struct prune_result {
  std::int64_t runs = 0;  // finished runs removed, with their block events
  std::int64_t dedupe_keys = 0;
  std::int64_t echo_records = 0;
  std::int64_t install_states = 0;  // install states that expired
};

class store {
 public:
  virtual ~store() = default;

  // --- run queue ------------------------------------------------------------------------------

  // Queues the runs in one transaction: when this returns, each accepted run is durable. One
  // answer per run, in order. Duplicates are answered even when the queue is full.
  virtual result<std::vector<enqueue_result>> enqueue(std::span<const new_run> runs) = 0;

  // Queues the runs a poll produced and advances its cursor in the same transaction. All or
  // nothing: if any run would not fit (queue_full), nothing is written and the answer is
  // errc::unavailable, so the cursor never moves past records that have no run. When
  // cursor.after no longer matches the stored cursor, nothing is written: errc::conflict.
  virtual result<std::vector<enqueue_result>> enqueue_with_cursor(std::span<const new_run> runs,
                                                                  const cursor_update& cursor) = 0;

  // Leases up to `max` runs that are due (queued, retry_wait whose time has come, or running
  // with an expired lease), each with a fresh lease token, answered in id order. `worker` names
  // the caller in the run log; the store adds who holds the lease, in its own terms.
  //
  // Fair between tenants: the runs are taken round robin over the tenants that have due runs,
  // each tenant's oldest due run first (by due time, then id), then each one's second, and so
  // on up to `max`; among runs of the same turn, the one due first goes first. So a shop's new
  // run waits behind one turn of each other shop, never behind another shop's backlog (with
  // fewer shops than `max` waiting, it goes in the next claim); with a single tenant this is
  // oldest due first. What a claim costs must not grow with one tenant's backlog.
  //
  // Taking over: a running run whose holder the store can PROVE gone (its process died, or its
  // store was closed) is due at once, not when its lease ends. A store that can prove nothing
  // leaves every lease to its expiry; it never guesses (a slow worker is not a dead one). Either
  // way the old lease token is refused from the moment the run is claimed again (errc::conflict).
  // The SQLite store proves it with a lock file per store (store/worker_lock.hpp); a PostgreSQL
  // store can with a session advisory lock per store, free once its session ended
  // (docs/store.md, "Taking over").
  //
  // Versions: with `runnable`, only runs whose workflow_version_key (run.hpp) is in it are
  // claimed; the others wait for an engine that has their workflow version (a rolling deploy:
  // old and new binaries on one database). Without it, any run is claimed (tools, tests).
  virtual result<std::vector<claimed_run>> claim(
      std::string_view worker, std::size_t max, std::chrono::milliseconds lease,
      const std::vector<std::string>* runnable = nullptr) = 0;

  // Queues the runs as enqueue() does and, in the same transaction, leases the first `lease.max`
  // of those it accepted to `lease.worker` as claim() would (attempt 1, a fresh token, the lease
  // recorded the same way, so a dead holder's runs are taken over as after a claim). The leased
  // runs are appended to `leased` in id order. An engine that queues runs while it has idle
  // workers runs them at once this way: no claim's transaction, no look through the queue, no
  // hand-off to the thread that claims. Duplicates and runs refused as queue_full are never
  // leased. This default leases none and does what enqueue() does: the runs wait for a claim.
  virtual result<std::vector<enqueue_result>> enqueue_and_lease(std::span<const new_run> runs,
                                                                const lease_request& lease,
                                                                std::vector<claimed_run>& leased) {
    (void)lease;
    (void)leased;
    return enqueue(runs);
  }

  // Extends a lease held by a run that takes longer than expected; updates run.lease_until.
  virtual result<void> renew_lease(claimed_run& run, std::chrono::milliseconds lease) = 0;

  // Ends a run: final_status is succeeded, skipped or dead (error: why it died).
  virtual result<void> complete(const claimed_run& run, run_status final_status,
                                std::string_view error = {}) = 0;

  // Gives the run back until `when` (a retry after backoff), remembering the error.
  virtual result<void> retry_later(const claimed_run& run, time_point when,
                                   std::string_view error) = 0;

  // Ends many runs, and appends the run log's block events, in ONE transaction: the engine's
  // workers hand it every run that finished while the previous batch was being written, so
  // under load one commit serves many runs. Each completion is complete() (a final status) or
  // retry_later() (run_status::retry_wait); one answer per completion, in order. A completion
  // whose lease is no longer held answers errc::conflict (errc::not_found for a run that does
  // not exist, errc::invalid_input for a status that is neither final nor retry_wait) without
  // failing the others; the outer error (errc::storage) means nothing was written. When it
  // returns, every completion answered ok is as durable as complete() would have made it.
  // This default writes them one call at a time; stores override it with one transaction.
  virtual result<std::vector<result<void>>> finish_many(
      std::span<const run_completion> runs, std::span<const block_event_record> events = {}) {
    if (auto r = append_block_events(events); !r) return std::move(r).error();
    std::vector<result<void>> answers;
    answers.reserve(runs.size());
    for (const auto& c : runs) {
      if (!c.run) {
        answers.push_back(make_error(errc::invalid_input, "finish_many: a completion without run"));
      } else if (c.status == run_status::retry_wait) {
        answers.push_back(retry_later(*c.run, c.retry_at, c.error));
      } else {
        answers.push_back(complete(*c.run, c.status, c.error));
      }
    }
    return answers;
  }

  // Ends runs as finish_many() does, then queues runs as enqueue_and_lease() does (lease.max 0:
  // as enqueue()), in ONE transaction where the store can: what a group commit writes when the
  // engine's ends join the webhooks' runs (store::group_commit::async_finish), so that the pages
  // both touch (the tail of the runs, the due index, the counters) are written once, not twice.
  // The ends go first, so the places they free count for the runs queued after them. One answer
  // per end is set in `ended` (replacing what it held) and one per run is returned, with the
  // meanings of finish_many() and enqueue(); an outer error of the transaction is every end's
  // answer too, and then nothing of the call was written (a call refused for an invalid run or
  // lease writes nothing with every store). The leased runs are appended to
  // `leased` once committed. The acknowledgements' durability applies whenever runs are queued.
  // This default makes two calls (finish_many, then enqueue_and_lease); a store whose writes
  // are one at a time anyway (SQLite) overrides it with one transaction. PostgreSQL keeps it:
  // its enqueues take a turn one at a time across processes, and ends inside it would wait too.
  virtual result<std::vector<enqueue_result>> enqueue_and_finish(
      std::span<const run_completion> ends, std::span<const block_event_record> events,
      std::vector<result<void>>& ended, std::span<const new_run> runs, const lease_request& lease,
      std::vector<claimed_run>& leased) {
    // Refused before anything is written, as one transaction would refuse it.
    if (auto refused = refuse_enqueue_and_finish(runs, lease); !refused) {
      ended.assign(ends.size(), result<void>(refused.error()));
      return refused.error();
    }
    auto finished = finish_many(ends, events);
    ended.assign(ends.size(), result<void>{});
    for (std::size_t i = 0; i < ends.size(); ++i) {
      if (!finished)
        ended[i] = finished.error();
      else if (i < finished->size())
        ended[i] = std::move((*finished)[i]);
      else
        ended[i] = make_error(errc::internal, "finish_many answered fewer ends than it was given");
    }
    if (runs.empty()) {
      if (!finished) return std::move(finished).error();
      return std::vector<enqueue_result>{};
    }
    return enqueue_and_lease(runs, lease, leased);
  }

  // When the next run becomes due, so an idle worker can sleep until then; nullopt: no
  // unfinished run at all.
  virtual result<std::optional<time_point>> next_due() = 0;

  virtual result<run_counts> counts() = 0;

  // --- run log --------------------------------------------------------------------------------

  virtual result<void> append_block_events(std::span<const block_event_record> events) = 0;
  virtual result<std::vector<block_event_record>> block_events(std::int64_t run_id) = 0;
  virtual result<std::vector<run_record>> query_runs(const run_query& query) = 0;
  virtual result<run_record> get_run(std::int64_t run_id) = 0;  // with its payload

  // --- dead letters ---------------------------------------------------------------------------

  result<std::vector<run_record>> dead_letters(const run_filter& filter, std::size_t limit = 100) {
    return query_runs({.filter = filter, .status = run_status::dead, .limit = limit});
  }
  // Queues a dead run again with a fresh set of attempts; it keeps its id and idempotency key.
  virtual result<void> replay(std::int64_t run_id) = 0;
  // Replays every dead run matching the filter; answers how many. Not bounded by
  // max_unfinished_runs: replay is an operator's decision.
  virtual result<std::int64_t> replay_all(const run_filter& filter) = 0;

  // --- retention ------------------------------------------------------------------------------

  // Removes finished runs older than keep_finished (by finished time) with their block events,
  // dedupe keys older than the dedupe window, echo records older than the echo window and
  // install states that expired.
  virtual result<prune_result> prune(std::chrono::system_clock::duration keep_finished) = 0;

  // --- poll cursors ---------------------------------------------------------------------------

  virtual result<std::optional<std::string>> get_cursor(const cursor_key& key) = 0;
  // errc::conflict when cursor.after is set and the stored cursor is no longer what was read.
  virtual result<void> set_cursor(const cursor_update& cursor) = 0;

  // --- echo guard -----------------------------------------------------------------------------

  virtual result<void> record_echo(const echo_record& written) = 0;
  // True when this exact (record, fingerprint) was written within the echo window.
  virtual result<bool> is_echo(const echo_record& received) = 0;

  // --- installations --------------------------------------------------------------------------

  virtual result<void> put_installation(const installation_record& t) = 0;  // insert or replace
  virtual result<std::optional<installation_record>> get_installation(std::string_view integration,
                                                                      std::string_view id) = 0;
  virtual result<std::vector<installation_record>> list_installations(
      std::string_view integration) = 0;
  // Removing an installation that does not exist succeeds: app/uninstalled may be delivered twice.
  virtual result<void> remove_installation(std::string_view integration, std::string_view id) = 0;
  // Replaces the installation only if its stored revision is still `expected_revision`; answers
  // the new revision. errc::conflict when another process replaced it meanwhile (it refreshed the
  // token first), errc::not_found when it is gone (uninstalled). One statement, no read-then-write
  // race.
  virtual result<std::int64_t> replace_installation(const installation_record& t,
                                                    std::int64_t expected_revision) = 0;

  // --- install states (the single-use OAuth `state`) ------------------------------------------

  // errc::conflict when this state was already put (a nonce is never reused).
  virtual result<void> put_install_state(const install_state& s) = 0;
  // Single use, atomically: answers the state and deletes it (one statement: DELETE ...
  // RETURNING); nullopt when unknown or already taken, so a replayed callback finds nothing.
  // Expired states are answered too (the caller says "expired" rather than "unknown"); prune()
  // removes states that expired.
  virtual result<std::optional<install_state>> take_install_state(std::string_view state) = 0;

  // --- erasure (privacy topics: customers/redact, shop/redact) --------------------------------

  // Ids of the tenant's runs (every status) whose payload `match` accepts, oldest first. The
  // store walks the tenant's runs in pages (runs_matching_page), so memory does not grow with the
  // table. For erasure and data requests.
  virtual result<std::vector<std::int64_t>> runs_matching(
      std::string_view tenant, const std::function<bool(std::string_view payload)>& match) = 0;
  // Deletes these runs of `tenant` (ids of other tenants, and ids that do not exist, are ignored)
  // with their block events and dedupe keys, in one transaction. A run that is running is
  // deleted too: its worker's later finish/renew answers errc::not_found. Forgetting a dedupe key
  // means a redelivery of that event is queued again: erasure wins over deduplication.
  virtual result<erasure_counts> erase_runs(std::string_view tenant,
                                            std::span<const std::int64_t> run_ids) = 0;
  // Everything the store holds of a tenant except its installation row (remove_installation does
  // that): runs, block events, dedupe keys, echo records, poll cursors. One transaction.
  virtual result<erasure_counts> erase_tenant(std::string_view tenant) = 0;
  // The echo records of these record ids (e.g. the order ids of a customers/redact); answers how
  // many were removed.
  virtual result<std::int64_t> erase_echo_records(std::string_view tenant,
                                                  std::span<const std::string> record_ids) = 0;
  // The erasure log: what was erased, when and why, never the erased data. Answers the new
  // record's id; id and at are set by the store. errc::invalid_input for an empty tenant, a kind
  // that is none of erasure_kinds, or a request that is not a short id.
  virtual result<std::int64_t> record_erasure(const erasure_record& e) = 0;
  virtual result<std::vector<erasure_record>> erasures(
      std::string_view tenant) = 0;  // oldest first

  // --- leadership -----------------------------------------------------------------------------

  // Work that runs in one process at a time among all the stores of one database (the polls and
  // schedules, pruning) belongs to the holder of a named role. lead(role) answers true while this
  // store holds the role, taking it when no live store does. The holder keeps it until
  // resign(role), until the store is destroyed, or until its process dies. The store proves the
  // holder gone the way it proves a lease's holder gone (SQLite: a lock file beside the database;
  // PostgreSQL: a session advisory lock), so a dead holder's role is free at once and a slow one's
  // never; callers ask again every so often, which bounds how long a role stays without a
  // holder. A holder that lost its role without knowing it (its database session ended) is
  // fenced by what it writes: a cursor moved by another is refused (cursor_update::after).
  // A role is 1 to 64 of [a-z0-9_-] (errc::invalid_input otherwise).
  virtual result<bool> lead(std::string_view role) = 0;
  // Lets the role go if this store holds it; otherwise does nothing.
  virtual result<void> resign(std::string_view role) = 0;

  // --- shared rate limits ---------------------------------------------------------------------

  // Counts a call of `cost` in the named bucket that every store of the database shares, and
  // answers how long the caller must wait before it sends the call (zero: at once). The call is
  // counted from now, so callers that reserve one after another, in any process, wait in turn
  // (http::leaky_bucket). Capacity and leak rate are the caller's, given each time (a plan may
  // change); time is the store's clock. A bucket never used starts empty.
  virtual result<std::chrono::nanoseconds> reserve_rate(const rate_bucket& bucket, double cost) = 0;
  // The server counts `used` in the bucket (it sees other clients too): the level is raised to
  // that, never lowered.
  virtual result<void> observe_rate(const rate_bucket& bucket, double used) = 0;

  // --- waking an idle worker ------------------------------------------------------------------

  // Asks the store to call `wake` soon after runs were queued or replayed by any store of the
  // database (other processes' included), so an idle worker need not poll to see them. Answers
  // false when the store cannot tell (then nothing is ever called: the caller keeps polling).
  // `wake` runs on a thread of the store's, may run spuriously (for this store's own runs too,
  // and once after a lost connection is back, since what was sent meanwhile is lost), must be
  // quick and must not call this store's watch calls. Runs due later (retries) and leases that
  // expire are not announced: next_due() and a periodic look find those. A second call replaces
  // the watcher.
  virtual bool watch_new_runs(std::function<void()> wake) {
    (void)wake;
    return false;
  }
  // Stops watching: when this returns, `wake` is not running and will never be called again, so
  // its target may die. Called by the watcher before it goes; the store's destructor stops too.
  // Doing nothing when nothing watches.
  virtual void unwatch_new_runs() {}

  // --- concurrency ----------------------------------------------------------------------------

  // True when write transactions of several threads proceed at once (the PostgreSQL store: each
  // takes a session of its pool) rather than one after another (SQLite: one writer). The engine
  // then claims on a thread of its own, so a claim's round trips overlap the completions'.
  virtual bool concurrent_writes() const noexcept { return false; }

 protected:
  // What enqueue_and_finish refuses before it writes anything: a lease that is not positive
  // (when it leases), a run without its names. Every store checks these the same way.
  static result<void> refuse_enqueue_and_finish(std::span<const new_run> runs,
                                                const lease_request& lease) {
    if (lease.max > 0 && lease.lease <= std::chrono::milliseconds::zero())
      return make_error(errc::invalid_input, "enqueue_and_finish: the lease must be positive");
    for (const auto& r : runs) {
      if (auto v = validate(r); !v) return v;
    }
    return {};
  }
};

}  // namespace syncline::store
