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
#include <syncline/store/group_commit.hpp>
#include <syncline/store/run.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
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

  // What the intake's group commit is given (store::lease_taker): while this executor has idle
  // workers and no due run waits (flight_state::drained), the runs a batch queues are leased to
  // it in the batch's transaction (store::enqueue_and_lease) and start at once: no claim's
  // transaction, no look through the queue, no hop to the store thread and back. The runs it
  // could not lease ring the dispatcher, and from then on new runs wait for claims, which take
  // them fairly across tenants (store::claim), until a claim comes back short.
  store::lease_taker lease_taker() {
    return {.worker = worker_id_,
            .lease = ctx_.opts().lease,
            .reserve = [this](std::size_t n) -> std::size_t {
              if (!flight_->drained.load()) return 0;
              return take_workers(n);
            },
            .take =
                [this](std::vector<store::claimed_run> leased, std::size_t reserved,
                       std::size_t waiting) {
                  if (waiting > 0) {  // runs a claim must take
                    flight_->unleased_batches.fetch_add(1);
                    flight_->drained = false;
                    doorbell_.ring();
                  }
                  run_leased(std::move(leased), reserved);
                }};
  }

  // The intake's group commit, which the ends are written through from now on (with the runs
  // it queues, in one transaction); it must outlive the last end written, or be stopped first
  // (then the ends are written alone). Call before start().
  void write_ends_through(store::group_commit* commit) noexcept { joined_commit_ = commit; }

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
    flight_->cv.wait_until(lock, deadline, [&] {
      return flight_->in_flight.load() == 0 && flight_->reserved.load() == 0 &&
             !flight_->dispatching;
    });
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
    // Workers held for runs being leased (a claim in progress, a batch being queued), not yet
    // running: they count against `workers` but are not work whose ends are on their way.
    std::atomic<std::int64_t> reserved{0};
    // Whether the last claim came back short and every run queued here since was leased as it
    // was queued (lease_taker): then no due run waits, and only the intake's runs are to run.
    // Only then are runs leased as they are queued, and a run that ends wakes no claim. False
    // until the first claim has looked.
    std::atomic<bool> drained{false};
    // Counts the batches that queued runs without a lease: a claim that began before one of them
    // committed may not have seen its runs, so it cannot say the queue is drained.
    std::atomic<std::uint64_t> unleased_batches{0};
    bool dispatching = false;  // under mu when it turns false
    std::atomic<bool> stopping{false};
  };

  bool stopping() const { return flight_->stopping.load(); }

  // When this returns the store calls the doorbell no more: first thing at stop, and in the
  // destructor (whatever happened), before the doorbell goes.
  void stop_watching() {
    if (watching_.exchange(false)) ctx_.store()->unwatch_new_runs();
  }

  // The dispatcher: claims as many due runs as there are free workers (one transaction) and
  // hands the claim to execute_claim on a strand of its own. Sleeps until rung (runs queued
  // without a lease, a worker free while runs wait for one) or until the next run is due, at
  // most idle_poll.
  boost::asio::awaitable<void> dispatch() {
    const auto& opts = ctx_.opts();
    while (!stopping()) {
      // Held for the claim's runs from before it asks, so that runs leased as they are queued
      // (lease_taker) and a claim never take the same worker.
      const std::size_t n = take_workers(opts.claim_batch);
      if (n == 0) {
        co_await doorbell_.wait(opts.idle_poll);
        continue;
      }
      const std::uint64_t unleased_before = flight_->unleased_batches.load();
      // The workflow versions this engine has: only their runs are claimed (a rolling deploy).
      auto claim = [this, n, runnable = registry_.runnable()] {
        return ctx_.store()->claim(worker_id_, n, ctx_.opts().lease, runnable.get());
      };
      auto claimed = co_await ctx_.on_claim(std::move(claim));
      if (!claimed) {
        start_held(0, n, holder::dispatcher);
        ctx_.metrics().store_failed();
        ctx_.log(log_level::error, "claim failed", {{"error", to_string(claimed.error())}});
        co_await doorbell_.wait(std::chrono::seconds(1));
        continue;
      }
      start_held(claimed->size(), n, holder::dispatcher);
      // A full claim may have left due runs behind: new runs queue behind them until a claim
      // comes back short.
      flight_->drained = claimed->size() < n && ctx_.opts().lease_on_enqueue &&
                         flight_->unleased_batches.load() == unleased_before;
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
      auto strand = boost::asio::make_strand(ctx_.io().context());
      boost::asio::co_spawn(strand, execute_claim(std::move(*claimed)), boost::asio::detached);
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
  // second in runs/engine_5_blocks, docs/perf/runtime.md). At most 3 x `workers` runs wait for
  // their ends at once, so the runs in flight stay bounded when the store falls behind. Not fewer:
  // an end waits for the writer behind an acknowledgement's fsync or a checkpoint, and with
  // runs leased as they are queued, 1 x `workers` stopped new runs so often that most of durable
  // ingest's runs went through claims again (docs/perf/runtime.md, "Runs leased as they are
  // queued"). What waits is a finished run's row and events: a few KB each.
  std::size_t free_workers() const {
    const std::size_t workers = ctx_.opts().workers;
    const auto count = [](const std::atomic<std::int64_t>& n) {
      return static_cast<std::size_t>(std::max<std::int64_t>(n.load(), 0));
    };
    const std::size_t held = count(flight_->reserved);
    const std::size_t working = count(flight_->working) + held;
    const std::size_t in_flight = count(flight_->in_flight) + held;
    const std::size_t by_work = working >= workers ? 0 : workers - working;
    const std::size_t by_flight = in_flight >= 4 * workers ? 0 : 4 * workers - in_flight;
    return std::min(by_work, by_flight);
  }

  // Holds up to `want` free workers for runs about to be leased; none once stopping. Under the
  // flight lock, as start_held, so that the dispatcher's claims and the runs leased as they are
  // queued never hold more than `workers` between them.
  std::size_t take_workers(std::size_t want) {
    std::lock_guard lock(flight_->mu);
    if (stopping()) return 0;
    const std::size_t n = std::min(want, free_workers());
    flight_->reserved.fetch_add(static_cast<std::int64_t>(n));
    return n;
  }

  // `used` of the `held` workers take_workers held now run leased runs; the others are free
  // again, and the dispatcher is rung for them unless it is the caller. A held worker is not
  // counted as working (what lets a batch of ends wait for more, completion_options), only once
  // its run starts.
  enum class holder { dispatcher, intake };
  void start_held(std::size_t used, std::size_t held, holder by) {
    used = std::min(used, held);
    {
      std::lock_guard lock(flight_->mu);
      flight_->reserved.fetch_sub(static_cast<std::int64_t>(held));
      flight_->in_flight.fetch_add(static_cast<std::int64_t>(used));
      flight_->working.fetch_add(static_cast<std::int64_t>(used));
    }
    if (used == held) return;
    flight_->cv.notify_all();
    if (by == holder::intake && !stopping()) doorbell_.ring();
  }

  // The runs the intake's group commit leased as it queued them (lease_taker), on the writer
  // thread once committed: each group of claim_batch runs on a strand of its own, as a claim's.
  void run_leased(std::vector<store::claimed_run> leased, std::size_t reserved) {
    start_held(leased.size(), reserved, holder::intake);
    if (leased.empty()) return;
    ctx_.metrics().leased_on_enqueue(leased.size());
    const std::size_t batch = std::max<std::size_t>(ctx_.opts().claim_batch, 1);
    for (std::size_t from = 0; from < leased.size(); from += batch) {
      const std::size_t to = std::min(leased.size(), from + batch);
      std::vector<store::claimed_run> group(std::make_move_iterator(leased.begin() + from),
                                            std::make_move_iterator(leased.begin() + to));
      boost::asio::co_spawn(boost::asio::make_strand(ctx_.io().context()),
                            execute_claim(std::move(group)), boost::asio::detached);
    }
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
      // A free worker is for a claim only when runs wait for one (not drained). Once stopping,
      // the doorbell may be gone (an abandoned frame outlives the executor).
      if (!f_->stopping && !f_->drained) bell_.ring();
      f_.reset();
    }

   private:
    std::shared_ptr<flight_state> f_;
    doorbell& bell_;
  };

  // Counts a run out of flight on every path out of execute(), including the destruction of
  // its frame when the engine abandons it at stop. Moves with the run's end when the end is
  // written with its claim's (execute_claim), so the run counts out once that end is committed.
  class flight_guard {
   public:
    flight_guard(std::shared_ptr<flight_state> f, doorbell& bell)
        : f_(std::move(f)), bell_(&bell) {}
    flight_guard(flight_guard&&) noexcept = default;
    flight_guard& operator=(flight_guard&&) = delete;
    flight_guard(const flight_guard&) = delete;
    flight_guard& operator=(const flight_guard&) = delete;
    ~flight_guard() {
      if (!f_) return;  // moved from
      {
        std::lock_guard lock(f_->mu);
        f_->in_flight.fetch_sub(1);
      }
      f_->cv.notify_all();
      // As worker_slot: a claim only when runs wait for one. Once stopping, the doorbell may be
      // gone (an abandoned frame outlives the executor).
      if (!f_->stopping && !f_->drained) bell_->ring();
    }

   private:
    std::shared_ptr<flight_state> f_;
    doorbell* bell_;
  };

  // A run's end, ready to be written: the run, how it ended (`what` points at `run` once the
  // end is handed to the store: the run moves with its end until then), its block events, and
  // its place in flight (its guard counts it out once the end is committed, or given up).
  struct ended_run {
    store::claimed_run run;
    store::run_completion what;
    std::vector<store::block_event_record> events;
    flight_guard guard;
  };

  // A claim's ends gathered while its runs start (execute_claim); on the claim's strand only.
  struct claim_ends {
    bool gathering = true;
    std::vector<ended_run> ends;
  };

  // Runs a claim's runs on one strand. Each starts at once, inline, so a run whose workflow
  // never waits (pure blocks, a local sink) runs from start to answer before the next one
  // begins, on one thread with warm caches, and leaves its end in `gathered`: those ends are
  // written together, one item of the completions queue and one hand-off to the store thread
  // instead of one each, and those runs' coroutines end without waiting (nothing of a run
  // happens after its end but what after_commit reports). A run that waits (an HTTP call, an
  // echo check on the store) lets the next one start meanwhile, goes on concurrently with them
  // on the strand, and writes its own end through the queue when it answers
  // (docs/perf/runtime.md, "A claim's runs end together").
  //
  // Back to back, a claim of 32 runs of a workflow that computes for a millisecond would hold its
  // io thread for 32 ms, and the HTTP requests queued behind them would wait as long. So the
  // claim lets the thread's other work run after each `slice` of running; the runs that finish
  // meanwhile still join the claim's ends.
  boost::asio::awaitable<void> execute_claim(std::vector<store::claimed_run> runs) {
    constexpr auto slice = std::chrono::microseconds(200);
    auto strand = co_await boost::asio::this_coro::executor;
    auto gathered = std::make_shared<claim_ends>();
    gathered->ends.reserve(runs.size());
    auto since = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      boost::asio::co_spawn(strand, execute(std::move(runs[i]), gathered), boost::asio::detached);
      if (i + 1 < runs.size() && std::chrono::steady_clock::now() - since >= slice) {
        co_await boost::asio::post(strand, boost::asio::use_awaitable);
        since = std::chrono::steady_clock::now();
      }
    }
    gathered->gathering = false;
    if (!gathered->ends.empty()) co_await write_ends(std::move(gathered->ends));
  }

  boost::asio::awaitable<void> execute(store::claimed_run run, std::shared_ptr<claim_ends> claim) {
    ended_run end{
        .run = std::move(run), .what = {}, .events = {}, .guard = flight_guard(flight_, doorbell_)};
    {
      worker_slot worker(flight_, doorbell_);
      co_await run_workflow(end, worker);
    }
    if (claim->gathering) {
      claim->ends.push_back(std::move(end));
      co_return;
    }
    std::vector<ended_run> one;
    one.push_back(std::move(end));
    co_await write_ends(std::move(one));
  }

  // Runs the run's workflow with its tenant's credentials and sets how it ended. Gives the
  // worker back as soon as the workflow has answered; the end is written by the caller.
  boost::asio::awaitable<void> run_workflow(ended_run& end, worker_slot& worker) {
    const store::claimed_run& run = end.run;
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
      end.what = store::run_completion::completed(run, store::run_status::dead, refusal);
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
    end.events = std::move(recorder.events());

    if (outcome) {
      const bool skipped = outcome->was_skipped();
      (skipped ? r->metrics.skipped : r->metrics.succeeded).add();
      if (ctx_.logs(log_level::debug)) {
        ctx_.log(log_level::debug, skipped ? "run skipped" : "run succeeded",
                 {{"run", run.id},
                  {"tenant", run.tenant},
                  {"workflow", run.workflow},
                  {"attempt", run.attempt}});
      }
      end.what = store::run_completion::completed(
          run, skipped ? store::run_status::skipped : store::run_status::succeeded);
      co_return;
    }
    const ::syncline::error& failure = outcome.error();
    std::string message = ctx_.redact(to_string(failure));
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
      end.what = store::run_completion::retried(run, ctx_.now() + wait, std::move(message));
      co_return;
    }
    r->metrics.dead_lettered.add();
    ctx_.log(log_level::error, "run dead-lettered",
             {{"run", run.id},
              {"tenant", run.tenant},
              {"workflow", run.workflow},
              {"attempt", run.attempt},
              {"error", message}});
    end.what = store::run_completion::completed(run, store::run_status::dead, std::move(message));
  }

  static double seconds_between(store::time_point a, store::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }

  // Batched completion through the one group commit (core/detail/group_commit_queue.hpp): the
  // ends of a claim's runs that answered without waiting come as one item, a run that waited
  // comes alone; the queue gathers what arrives while the previous batch is written and, while
  // other runs are still working, up to completion_delay, and one transaction
  // (store::finish_many) ends the whole batch. So under load one commit ends many runs, and an
  // idle engine adds no latency (no run working: the end is written at once). Durability is
  // unchanged: what follows a run's end (after_commit, and its count out of flight) happens only
  // once that end is committed. A crash loses at most the batch being written; those runs re-run
  // when their lease expires, which their idempotency key makes harmless.
  // Ends submitted together, and the store's answer for each once they are written. Shared by
  // the submitter, which reports and lets the runs leave flight once answered (on its strand,
  // not on the store thread), and the queue, which writes them.
  struct ends_to_write {
    std::vector<ended_run> ends;
    std::vector<result<void>> answers;
  };
  using completion_queue = group_commit_queue<std::shared_ptr<ends_to_write>, result<void>>;

  // Hands ends to the queue and waits until they are written, or refused (the engine stops);
  // then reports each (after_commit), and the runs leave flight with `group`.
  boost::asio::awaitable<void> write_ends(std::vector<ended_run> ends) {
    auto group = std::make_shared<ends_to_write>();
    group->ends = std::move(ends);
    auto written = co_await completions_.submit(group);
    for (std::size_t i = 0; i < group->ends.size(); ++i) {
      after_commit(group->ends[i], written ? group->answers[i] : written);
    }
  }

  // On the store thread (the queue's strand is on it), one batch at a time: the batch's ends and
  // their block events, and each end's own answer. With the intake's group commit
  // (write_ends_through), they join the transaction of the runs it queues next
  // (store::enqueue_and_finish): under load an end costs no transaction of its own. When that
  // group commit cannot take them (full, or stopped before this engine's last ends), they are
  // written here in a transaction of their own (store::finish_many), as without one.
  boost::asio::awaitable<std::vector<result<void>>> write_completions(
      std::vector<std::shared_ptr<ends_to_write>>& batch) {
    std::vector<store::run_completion> items;
    std::vector<store::block_event_record> events;
    for (auto& group : batch) {
      for (auto& e : group->ends) {
        // A copy: after_commit reads the status after this (the error is "" but on failures).
        e.what.run = &e.run;
        items.push_back(e.what);
        events.insert(events.end(), std::make_move_iterator(e.events.begin()),
                      std::make_move_iterator(e.events.end()));
      }
    }
    result<std::vector<result<void>>> answers =
        make_error(errc::unavailable, "the ends were not handed to a group commit");
    if (joined_commit_) answers = co_await joined_commit_->finish(items, events);
    if (!answers && answers.error().category == errc::unavailable) {
      if (joined_commit_) {
        ctx_.log(log_level::debug, "run ends written in a transaction of their own",
                 {{"runs", items.size()}, {"why", answers.error().message}});
      }
      answers = ctx_.store()->finish_many(items, events);
    }
    ctx_.metrics().completion_batch(items.size());
    if (!answers && !events.empty()) {
      ctx_.log(log_level::warn, "writing block events failed; the run log misses them",
               {{"events", events.size()}, {"error", to_string(answers.error())}});
    }
    if (answers && answers->size() != items.size()) {
      answers =
          make_error(errc::internal, "finish_many answered " + std::to_string(answers->size()) +
                                         " of " + std::to_string(items.size()) + " runs");
    }
    std::size_t i = 0;
    for (auto& group : batch) {
      group->answers.reserve(group->ends.size());
      for (std::size_t k = 0; k < group->ends.size(); ++k, ++i)
        group->answers.push_back(answers ? std::move((*answers)[i])
                                         : result<void>(answers.error()));
    }
    co_return std::vector<result<void>>(batch.size(), result<void>{});
  }

  // What follows a run's end once the store has answered for it.
  void after_commit(const ended_run& e, const result<void>& done) {
    if (done && e.what.status != store::run_status::retry_wait)
      ctx_.metrics().run_latency.observe(seconds_between(e.run.enqueued_at, ctx_.now()));
    // A retry is a due time the dispatcher has not seen: it looks again and sleeps until then,
    // even when no run waits for a worker (a drained queue rings nothing else).
    if (done && e.what.status == store::run_status::retry_wait && !stopping()) doorbell_.ring();
    report_progress_failure(e.run.id, done);
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

  void report_progress_failure(std::int64_t run_id, const result<void>& r) {
    if (r) return;
    if (r.error().category == errc::conflict) {
      ctx_.log(log_level::warn,
               "run lease lost: another worker holds the run; this attempt's answer "
               "is discarded",
               {{"run", run_id}, {"error", r.error().message}});
    } else if (r.error().category == errc::not_found) {
      // Erased while it ran (a privacy erasure, store::erase_runs): nothing is left to record,
      // and nothing will run it again.
      ctx_.log(log_level::info, "run erased while it ran; its end is not recorded",
               {{"run", run_id}});
    } else {
      ctx_.metrics().store_failed();
      ctx_.log(log_level::error,
               "recording a run's end failed; the run will run again when its lease "
               "expires",
               {{"run", run_id}, {"error", to_string(r.error())}});
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
  store::group_commit* joined_commit_ = nullptr;  // write_ends_through
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::unique_ptr<store_echo_memory> echo_;
  boost::asio::strand<boost::asio::io_context::executor_type> dispatch_strand_;
  doorbell doorbell_;
  boost::asio::steady_timer prune_timer_;
  lease_keeper leases_{ctx_, dispatch_strand_};
  // Last: its flushes use the members above; destroyed first, it cancels what still waits.
  completion_queue completions_{ctx_.store_thread().get_executor(), completion_options(),
                                [this](std::vector<std::shared_ptr<ends_to_write>>& batch) {
                                  return write_completions(batch);
                                }};
};

}  // namespace syncline::detail
