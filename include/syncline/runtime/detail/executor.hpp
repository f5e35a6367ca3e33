// The engine's executor: claims due runs from the durable queue, runs each workflow with its
// tenant's credentials, keeps the lease of a long run, retries by the failing block's policy,
// dead-letters what cannot succeed, and commits each run's end with its block events (batched
// completions). Also applies retention every prune_interval. Stands on the engine context and
// the registry; nothing above it is known here. Its doorbell is rung by whoever queues work.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/core/detail/group_commit_queue.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/run_ending.hpp>
#include <syncline/runtime/detail/doorbell.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/lease_keeper.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/run_recorder.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/detail/store_echo_memory.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/run.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace syncline::detail {

class executor {
 public:
  executor(engine_context& ctx, const registry& reg)
      : ctx_(ctx),
        registry_(reg),
        dispatch_strand_(boost::asio::make_strand(ctx_.io().context())),
        doorbell_(dispatch_strand_),
        prune_timer_(dispatch_strand_) {
    if (ctx_.store())
      echo_ = std::make_unique<store_echo_memory>(*ctx_.store(), ctx_.store_thread());
  }

  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;
  ~executor() { stop_watching(); }

  // Rung when there may be work: an event queued, a run replayed, a run finished.
  doorbell& bell() noexcept { return doorbell_; }

  std::int64_t in_flight() const { return flight_->in_flight.load(); }

  // Starts the dispatcher and the periodic prune.
  void start() {
    {
      std::lock_guard lock(flight_->mu);
      flight_->dispatching = true;
    }
    boost::asio::co_spawn(dispatch_strand_, dispatch(), boost::asio::detached);
    boost::asio::co_spawn(dispatch_strand_, prune_loop(), boost::asio::detached);
    leases_.start();
    // Runs that other processes queue ring the bell when the store can tell (PostgreSQL:
    // LISTEN/NOTIFY); the idle poll stays, for what nobody announces (a retry that comes due, a
    // lease that expires) and for a store that cannot tell (SQLite).
    if (ctx_.store()) watching_ = ctx_.store()->watch_new_runs([this] { doorbell_.ring(); });
  }

  // Whether this engine holds the store's "prune" role: only its holder applies retention.
  void set_pruning(bool on) noexcept { pruning_ = on; }

  // Claims nothing more; the runs in flight go on.
  void begin_stop() {
    stop_watching();
    flight_->stopping = true;
    doorbell_.ring();
    boost::asio::post(dispatch_strand_, [this] { prune_timer_.cancel(); });
  }

  // After wait_idle: renews no lease any more, writes the ends still waiting (on the store
  // thread, which the engine joins before the store closes) and refuses later ones (a run
  // abandoned at stop re-runs when its lease expires).
  void close() {
    leases_.stop();
    completions_.close(on_close::drain);
  }

  // Waits until no run is in flight and the dispatcher has ended, or until `deadline`; returns
  // how many runs are still in flight (abandoned: their leases expire and they run again).
  std::int64_t wait_idle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(flight_->mu);
    flight_->cv.wait_until(lock, deadline,
                           [&] { return flight_->in_flight.load() == 0 && !flight_->dispatching; });
    return flight_->in_flight.load();
  }

 private:
  // Runs in flight and the dispatcher's life, shared with each run's flight_guard and
  // worker_slot: a run abandoned at stop is destroyed with the io_context, after this executor,
  // and still counts itself out here.
  struct flight_state {
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<std::int64_t> in_flight{0};  // claimed and not yet ended (its end committed)
    std::atomic<std::int64_t> working{0};    // of those, the ones still holding a worker
    bool dispatching = false;                // under mu when it turns false
    std::atomic<bool> stopping{false};
  };

  bool stopping() const { return flight_->stopping.load(); }

  // When this returns the store calls the doorbell no more: first thing at stop, and in the
  // destructor (whatever happened), before the doorbell goes.
  void stop_watching() {
    if (watching_.exchange(false)) ctx_.store()->unwatch_new_runs();
  }

  // The dispatcher: claims as many due runs as there are free workers (one transaction) and
  // starts each as its own coroutine. Sleeps until rung (an event queued, a run finished) or
  // until the next run is due, at most idle_poll.
  boost::asio::awaitable<void> dispatch() {
    const auto& opts = ctx_.opts();
    while (!stopping()) {
      const std::size_t free = free_workers();
      if (free == 0) {
        co_await doorbell_.wait(opts.idle_poll);
        continue;
      }
      const std::size_t n = std::min(free, opts.claim_batch);
      // The workflow versions this engine has: only their runs are claimed (a rolling deploy).
      auto claim = [this, n, runnable = registry_.runnable()] {
        return ctx_.store()->claim(worker_id_, n, ctx_.opts().lease, runnable.get());
      };
      auto claimed = co_await ctx_.on_claim(std::move(claim));
      if (!claimed) {
        ctx_.metrics().store_failed();
        ctx_.log(log_level::error, "claim failed", {{"error", to_string(claimed.error())}});
        co_await doorbell_.wait(std::chrono::seconds(1));
        continue;
      }
      ctx_.metrics().claim(claimed->size());
      if (claimed->empty()) {
        auto due = co_await ctx_.on_claim([this] { return ctx_.store()->next_due(); });
        auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(opts.idle_poll);
        if (due && *due) {
          const auto until =
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(**due - ctx_.now());
          wait = std::clamp(
              until, std::chrono::steady_clock::duration(std::chrono::milliseconds(2)), wait);
        }
        co_await doorbell_.wait(wait);
        continue;
      }
      for (auto& run : *claimed) {
        flight_->in_flight.fetch_add(1);
        flight_->working.fetch_add(1);
        boost::asio::co_spawn(boost::asio::make_strand(ctx_.io().context()),
                              execute(std::move(run)), boost::asio::detached);
      }
    }
    {
      std::lock_guard lock(flight_->mu);
      flight_->dispatching = false;
    }
    flight_->cv.notify_all();
  }

  // How many more runs may start. A run holds a worker while it runs its workflow; once it has
  // its answer and only waits for its end to be committed (the completions queue) it holds none,
  // so the next runs start while the ends are written instead of after (about 10% more runs a
  // second in runs/engine_5_blocks, docs/perf/runtime.md). At most `workers` runs wait for
  // their ends at once, so the runs in flight stay bounded when the store falls behind.
  std::size_t free_workers() const {
    const std::size_t workers = ctx_.opts().workers;
    const auto count = [](const std::atomic<std::int64_t>& n) {
      return static_cast<std::size_t>(std::max<std::int64_t>(n.load(), 0));
    };
    const std::size_t working = count(flight_->working), in_flight = count(flight_->in_flight);
    const std::size_t by_work = working >= workers ? 0 : workers - working;
    const std::size_t by_flight = in_flight >= 2 * workers ? 0 : 2 * workers - in_flight;
    return std::min(by_work, by_flight);
  }

  // Gives a run's worker back once its workflow has answered (release), or on any path out of
  // execute(), and wakes the dispatcher to start the next run.
  class worker_slot {
   public:
    worker_slot(std::shared_ptr<flight_state> f, doorbell& bell) : f_(std::move(f)), bell_(bell) {}
    worker_slot(const worker_slot&) = delete;
    worker_slot& operator=(const worker_slot&) = delete;
    ~worker_slot() { release(); }

    void release() {
      if (!f_) return;
      f_->working.fetch_sub(1);
      // Once stopping, the doorbell may be gone (an abandoned frame outlives the executor).
      if (!f_->stopping) bell_.ring();
      f_.reset();
    }

   private:
    std::shared_ptr<flight_state> f_;
    doorbell& bell_;
  };

  // Counts a run out of flight on every path out of execute(), including the destruction of
  // its frame when the engine abandons it at stop.
  class flight_guard {
   public:
    flight_guard(std::shared_ptr<flight_state> f, doorbell& bell) : f_(std::move(f)), bell_(bell) {}
    flight_guard(const flight_guard&) = delete;
    flight_guard& operator=(const flight_guard&) = delete;
    ~flight_guard() {
      {
        std::lock_guard lock(f_->mu);
        f_->in_flight.fetch_sub(1);
      }
      f_->cv.notify_all();
      // Once stopping, the doorbell may be gone (an abandoned frame outlives the executor).
      if (!f_->stopping) bell_.ring();
    }

   private:
    std::shared_ptr<flight_state> f_;
    doorbell& bell_;
  };

  boost::asio::awaitable<void> execute(store::claimed_run run) {
    flight_guard guard(flight_, doorbell_);
    worker_slot worker(flight_, doorbell_);
    const runner* r = registry_.find_runner(run.integration, run.workflow, run.workflow_version);
    auto inst = registry_.find_installation(run.integration, run.tenant);
    std::string refusal;
    if (!r) {
      refusal = "no version " + std::to_string(run.workflow_version) + " of workflow \"" +
                run.workflow + "\" of integration \"" + run.integration +
                "\" is installed in this engine";
    } else if (!inst) {
      refusal = "tenant \"" + run.tenant + "\" is not installed for integration \"" +
                run.integration + "\"; install it and replay the run";
    } else if (run.attempt > r->max_attempts()) {
      refusal = "claimed " + std::to_string(run.attempt) +
                " times without finishing (its process may have died while running it each "
                "time); dead-lettered as poison";
    }
    if (!refusal.empty()) {
      worker.release();
      if (r) r->metrics.dead_lettered.add();
      ctx_.log(log_level::error, "run dead-lettered",
               {{"run", run.id},
                {"tenant", run.tenant},
                {"integration", run.integration},
                {"workflow", run.workflow},
                {"error", refusal}});
      std::vector<store::block_event_record> none;
      co_await finish(run, store::run_status::dead, refusal, std::move(none));
      co_return;
    }
    r->metrics.started.add();
    const auto started = ctx_.now();
    auto lease = leases_.keep(run);

    run_context rctx(run_info{run.tenant, run.idempotency_key, run.integration, run.attempt});
    ctx_.provide_to(rctx);
    rctx.provide(static_cast<echo_memory&>(*echo_));
    inst->provide(rctx);
    run_recorder recorder(run.id, run.attempt, ctx_.opts().store.clock, ctx_.secrets());
    rctx.set_observer(&recorder);

    result<run_ending> outcome = make_error(errc::internal, "the run did not start");
    std::string escaped;
    try {
      outcome = co_await r->run(run.payload, run.workflow_version, rctx);
    } catch (const std::exception& e) {
      escaped = std::string("an exception escaped the workflow: ") + e.what();
    } catch (...) {
      escaped = "a non-standard exception escaped the workflow";
    }
    if (!escaped.empty()) outcome = make_error(errc::internal, std::move(escaped));
    lease.release();  // the run's answer is in: what remains is writing its end
    worker.release();
    ctx_.metrics().run_duration.observe(seconds_between(started, ctx_.now()));

    if (outcome) {
      const bool skipped = outcome->was_skipped();
      (skipped ? r->metrics.skipped : r->metrics.succeeded).add();
      ctx_.log(log_level::debug, skipped ? "run skipped" : "run succeeded",
               {{"run", run.id},
                {"tenant", run.tenant},
                {"workflow", run.workflow},
                {"attempt", run.attempt}});
      std::string no_error;
      co_await finish(run, skipped ? store::run_status::skipped : store::run_status::succeeded,
                      std::move(no_error), std::move(recorder.events()));
      co_return;
    }
    const ::syncline::error& failure = outcome.error();
    const std::string message = ctx_.redact(to_string(failure));
    const retry_policy& policy = r->policy_at(recorder.failed_position());
    r->metrics.failed.add();
    if (policy.retries(failure.category, run.attempt)) {
      std::chrono::milliseconds wait;
      {
        std::lock_guard lock(rng_mu_);
        wait = policy.backoff(run.attempt, rng_);
      }
      r->metrics.retried.add();
      ctx_.log(log_level::warn, "run failed, will retry",
               {{"run", run.id},
                {"tenant", run.tenant},
                {"workflow", run.workflow},
                {"attempt", run.attempt},
                {"retry_in_ms", static_cast<std::int64_t>(wait.count())},
                {"error", message}});
      auto done = co_await end_run(store::run_completion::retried(run, ctx_.now() + wait, message),
                                   std::move(recorder.events()));
      report_progress_failure(run, done);
      co_return;
    }
    r->metrics.dead_lettered.add();
    ctx_.log(log_level::error, "run dead-lettered",
             {{"run", run.id},
              {"tenant", run.tenant},
              {"workflow", run.workflow},
              {"attempt", run.attempt},
              {"error", message}});
    co_await finish(run, store::run_status::dead, message, std::move(recorder.events()));
  }

  static double seconds_between(store::time_point a, store::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }

  boost::asio::awaitable<void> finish(const store::claimed_run& run, store::run_status status,
                                      std::string error,
                                      std::vector<store::block_event_record> events) {
    auto done = co_await end_run(store::run_completion::completed(run, status, std::move(error)),
                                 std::move(events));
    if (done) ctx_.metrics().run_latency.observe(seconds_between(run.enqueued_at, ctx_.now()));
    report_progress_failure(run, done);
  }

  // Batched completion through the one group commit (core/detail/group_commit_queue.hpp): a
  // finished run (completed, dead-lettered or given back for a retry) submits its end with its
  // block events, the queue gathers what arrives while the previous batch is written and, while
  // other runs are still working, up to completion_delay, and one transaction
  // (store::finish_many) ends the whole batch. So under load one commit ends many runs, and an
  // idle engine adds no latency (no run working: the end is written at once). Durability is
  // unchanged: a run's coroutine resumes only once its own completion is committed. A crash loses
  // at most the batch being written; those runs re-run when their lease expires, which their
  // idempotency key makes harmless.
  struct completion {
    store::run_completion what;
    std::vector<store::block_event_record> events;
  };
  using completion_queue = group_commit_queue<completion, result<void>>;

  boost::asio::awaitable<result<void>> end_run(store::run_completion what,
                                               std::vector<store::block_event_record> events) {
    completion c{std::move(what), std::move(events)};
    co_return co_await completions_.submit(std::move(c));
  }

  // On the store thread (the queue's strand is on it), one batch at a time: the batch's ends and
  // their block events in one transaction, and each run's own answer.
  boost::asio::awaitable<std::vector<result<void>>> write_completions(
      std::vector<completion>& batch) {
    std::vector<store::run_completion> items;
    items.reserve(batch.size());
    std::vector<store::block_event_record> events;
    for (auto& c : batch) {
      items.push_back(std::move(c.what));
      events.insert(events.end(), std::make_move_iterator(c.events.begin()),
                    std::make_move_iterator(c.events.end()));
    }
    auto answers = ctx_.store()->finish_many(items, events);
    ctx_.metrics().completion_batch(batch.size());
    if (!answers) {
      if (!events.empty()) {
        ctx_.log(log_level::warn, "writing block events failed; the run log misses them",
                 {{"events", events.size()}, {"error", to_string(answers.error())}});
      }
      co_return std::vector<result<void>>(batch.size(), result<void>(answers.error()));
    }
    // A count that does not match is answered by the queue as an error for every run.
    co_return std::move(*answers);
  }

  completion_queue::options completion_options() {
    completion_queue::options o;
    o.closed = {errc::cancelled, "the engine is stopping; the run's end was not written"};
    o.cancelled = o.closed;
    // Gathers while runs are working (their ends are on their way), never when none is.
    o.max_delay = std::max(ctx_.opts().completion_delay, std::chrono::microseconds::zero());
    o.more_coming = [f = flight_] { return f->working.load() > 0; };
    return o;
  }

  void report_progress_failure(const store::claimed_run& run, const result<void>& r) {
    if (r) return;
    if (r.error().category == errc::conflict) {
      ctx_.log(log_level::warn,
               "run lease lost: another worker holds the run; this attempt's answer "
               "is discarded",
               {{"run", run.id}, {"error", r.error().message}});
    } else if (r.error().category == errc::not_found) {
      // Erased while it ran (a privacy erasure, store::erase_runs): nothing is left to record,
      // and nothing will run it again.
      ctx_.log(log_level::info, "run erased while it ran; its end is not recorded",
               {{"run", run.id}});
    } else {
      ctx_.metrics().store_failed();
      ctx_.log(log_level::error,
               "recording a run's end failed; the run will run again when its lease "
               "expires",
               {{"run", run.id}, {"error", to_string(r.error())}});
    }
  }

  boost::asio::awaitable<void> prune_loop() {
    while (!stopping()) {
      prune_timer_.expires_after(ctx_.opts().prune_interval);
      boost::system::error_code ec;
      co_await prune_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (stopping()) co_return;
      if (!pruning_) continue;  // another engine on this database prunes
      auto r =
          co_await ctx_.on_store([this] { return ctx_.store()->prune(ctx_.opts().keep_finished); });
      if (!r) {
        ctx_.metrics().store_failed();
        ctx_.log(log_level::warn, "prune failed", {{"error", to_string(r.error())}});
      } else if (r->runs + r->dedupe_keys + r->echo_records > 0) {
        ctx_.log(log_level::info, "pruned",
                 {{"runs", r->runs},
                  {"dedupe_keys", r->dedupe_keys},
                  {"echo_records", r->echo_records}});
      }
    }
  }

  engine_context& ctx_;
  const registry& registry_;
  // The store adds which process holds a lease ("engine@host/pid/instance"), and holds the
  // lock that lets another process prove this one gone and take over its runs at once.
  const std::string worker_id_ = "engine";
  std::shared_ptr<flight_state> flight_ = std::make_shared<flight_state>();
  std::atomic<bool> pruning_{false};
  std::atomic<bool> watching_{false};  // the store rings doorbell_ when other processes queue runs
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::unique_ptr<store_echo_memory> echo_;
  boost::asio::strand<boost::asio::io_context::executor_type> dispatch_strand_;
  doorbell doorbell_;
  boost::asio::steady_timer prune_timer_;
  lease_keeper leases_{ctx_, dispatch_strand_};
  // Last: its flushes use the members above; destroyed first, it cancels what still waits.
  completion_queue completions_{
      ctx_.store_thread().get_executor(), completion_options(),
      [this](std::vector<completion>& batch) { return write_completions(batch); }};
};

}  // namespace syncline::detail
