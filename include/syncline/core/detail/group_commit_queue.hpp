// syncline::detail::group_commit_queue<Item, Answer>: group commit, the one implementation.
// Writers on any executor submit one item each and are suspended; the queue hands the waiting
// items to its flush function in one batch (one transaction, one request) and resumes each writer
// on its own executor with its own item's answer, only after the flush finished. The store's
// enqueue (store::group_commit) and every warehouse sink (warehouse::batched_sink) use it.
//
// A flush starts when max_batch items wait or the oldest has waited max_delay; with max_delay
// zero, whenever no flush runs: items that arrive during a flush form the next batch, so batches
// grow with load and an idle queue writes each item at once, with no timer. With more_coming,
// a batch waits (up to max_delay) only while its owner knows more items are on their way.
//
// Flushes run one at a time on a strand of the executor given, as coroutines, because a sink
// behind an HTTP API (BigQuery, Snowflake) awaits its requests. A flush that blocks (SQLite,
// libpq) blocks that strand's thread for the transaction: the store gives the queue an
// io_context of its own, run by one thread, which is then exactly a writer thread; a SQL sink
// runs on the executor its owner chose.
//
// Not in core/*.hpp: it is Asio, and declaring a workflow must parse no Asio (issue 11).
#pragma once

#include <syncline/core/result.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace syncline::detail {

struct group_commit_queue_options {
  std::size_t max_batch = 512;  // a batch never holds more; reaching it starts a flush at once
  std::chrono::microseconds max_delay{0};  // how long the first item of a batch may wait
  // When set, a batch waits for max_delay only while this answers true (more items are on their
  // way); once it answers false the batch is flushed as soon as no flush runs. So a busy queue
  // gathers and an idle one adds no latency. Called on the queue's strand about state that other
  // threads change, so it must be cheap and thread-safe (an atomic counter's load).
  std::function<bool()> more_coming{};
  // Most items waiting for their answer (gathering or being flushed); past it a submit is
  // answered `refused` at once. Zero: no limit.
  std::size_t max_pending = 0;
  // The answers of items that will not be flushed: submitted after close(), past max_pending,
  // or waiting when close(cancel) came. Each names its queue, so the message is the owner's.
  ::syncline::error closed{errc::cancelled, "group commit: closed; the item was not written"};
  ::syncline::error full{errc::unavailable, "group commit: too many items wait; retry later"};
  ::syncline::error cancelled{errc::cancelled, "group commit: closed before the item was written"};
};

struct group_commit_queue_statistics {
  std::uint64_t batches = 0;  // flushes attempted
  std::uint64_t items = 0;    // items those flushes answered
  std::size_t largest_batch = 0;
};

// What close() does with the items still waiting.
enum class on_close { drain, cancel };

// Answer is what a writer gets back: a result<T> (constructible from an error).
template <class Item, class Answer>
class group_commit_queue {
 public:
  using options = group_commit_queue_options;
  using statistics_type = group_commit_queue_statistics;
  // Writes one batch; returns one answer per item, in order. Runs on the queue's strand, one
  // flush at a time, so a flush function needs no locking of its own.
  using flush_function =
      std::function<boost::asio::awaitable<std::vector<Answer>>(std::vector<Item>&)>;

  group_commit_queue(boost::asio::any_io_executor ex, options opts, flush_function flush)
      : state_(
            std::make_shared<state>(std::move(ex), sanitized(std::move(opts)), std::move(flush))) {}
  group_commit_queue(const group_commit_queue&) = delete;
  group_commit_queue& operator=(const group_commit_queue&) = delete;

  // Cancels what waits (close(on_close::cancel)) and does not wait: a flush already running
  // keeps the state alive and finishes, but its flush function must outlive it.
  ~group_commit_queue() { close(on_close::cancel); }

  // Refuses every later submit with options::closed, and either flushes what waits (drain: the
  // strand's executor must keep running until that is done) or answers it options::cancelled.
  // Returns at once; closing twice does nothing.
  void close(on_close what) {
    {
      std::lock_guard lock(state_->admission);
      if (state_->closed) return;
      state_->closed = true;
    }
    boost::asio::dispatch(state_->strand, [st = state_, what] { st->close(what); });
  }

  // Answers once the batch holding `item` is flushed, with that item's own answer. Callable
  // from any thread; the handler runs on its associated executor (asio's system executor when
  // it has none). Any completion token works (use_awaitable, use_future, a callback).
  template <class CompletionToken>
  auto async_submit(Item item, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Answer)>(initiation{state_.get()},
                                                                      token, std::move(item));
  }

  // The coroutine form of async_submit.
  boost::asio::awaitable<Answer> submit(Item item) {
    // `st` keeps the state alive in this frame; the initiation itself holds a plain pointer
    // (with g++ 12, an initiation owning a shared_ptr was destroyed twice inside use_awaitable's
    // frame, caught by ASan).
    std::shared_ptr<state> st = state_;
    co_return co_await async_submit(std::move(item), boost::asio::use_awaitable);
  }

  // Items submitted and not yet answered.
  std::size_t pending() const noexcept { return state_->pending.load(std::memory_order_acquire); }

  statistics_type statistics() const {
    std::lock_guard lock(state_->admission);
    return state_->stats;
  }

 private:
  using completion = boost::asio::any_completion_handler<void(Answer)>;
  using clock = std::chrono::steady_clock;

  struct waiter {
    completion handler;
    // Tracked, so the submitter's context keeps running while it waits for its answer.
    boost::asio::any_io_executor caller;
    clock::time_point since{};
  };

  static options sanitized(options o) {
    o.max_batch = std::max<std::size_t>(o.max_batch, 1);
    return o;
  }

  struct state : std::enable_shared_from_this<state> {
    state(boost::asio::any_io_executor ex, options o, flush_function f)
        : strand(boost::asio::make_strand(std::move(ex))),
          timer(strand),
          opts(std::move(o)),
          flush(std::move(f)) {}

    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    const options opts;
    flush_function flush;

    // Admission, from any thread: once `closed` is set under this lock nothing more is posted
    // to the strand, so a drain that empties the strand has answered every submit.
    mutable std::mutex admission;
    bool closed = false;
    statistics_type stats;  // under `admission`, read by statistics() from any thread
    std::atomic<std::size_t> pending{0};

    // On the strand only.
    // Waiting, in arrival order; waiters[i] belongs to items[i]. Deques, because a batch is
    // taken from the front without assigning what stays: Boost 1.81's move assignment of
    // any_completion_handler wraps the handler in itself, endlessly.
    std::deque<Item> items;
    std::deque<waiter> waiters;
    bool flushing = false;
    bool closing = false;
    bool draining = false;
    std::size_t timer_generation = 0;  // a stale timer completion is recognised and ignored
    bool timer_armed = false;

    // Posts the answer to the writer's own executor: never runs it on the strand. The item
    // stops counting first, so a writer that has its answer never sees itself pending.
    void answer(waiter& w, Answer a) {
      pending.fetch_sub(1, std::memory_order_acq_rel);
      auto ex = w.caller;
      boost::asio::post(ex, [h = std::move(w.handler), a = std::move(a)]() mutable {
        std::move(h)(std::move(a));
      });
    }

    void enqueue(Item item, waiter w) {
      if (closing && !draining) {
        answer(w, Answer(opts.cancelled));
        return;
      }
      w.since = clock::now();
      items.push_back(std::move(item));
      waiters.push_back(std::move(w));
      schedule();
    }

    // Flush now if the batch is full, its oldest item is due, nothing more is coming or the
    // queue drains; otherwise wake up when it is due.
    void schedule() {
      if (flushing || items.empty()) return;
      const auto due = waiters.front().since + opts.max_delay;
      if (draining || items.size() >= opts.max_batch || clock::now() >= due ||
          (opts.more_coming && !opts.more_coming())) {
        start_flush();
        return;
      }
      if (timer_armed) return;
      timer_armed = true;
      const std::size_t generation = ++timer_generation;
      timer.expires_at(due);
      timer.async_wait([self = this->shared_from_this(), generation](auto) {
        if (generation != self->timer_generation) return;
        self->timer_armed = false;
        self->schedule();
      });
    }

    void start_flush() {
      flushing = true;
      if (timer_armed) {
        timer_armed = false;
        ++timer_generation;
        timer.cancel();
      }
      // The batch is taken when the flush begins, not now: the flush is posted behind the
      // submits already queued on the strand, which join it (with max_delay zero this is what
      // gathers a batch). co_spawn alone would start at once: it dispatches its first step.
      boost::asio::post(strand, [self = this->shared_from_this()] {
        boost::asio::co_spawn(
            self->strand,
            [self]() -> boost::asio::awaitable<void> { co_await self->flush_batch(); },
            boost::asio::detached);
      });
    }

    boost::asio::awaitable<void> flush_batch() {
      const std::size_t n = std::min(items.size(), opts.max_batch);
      auto batch_items = take(items, n);
      auto batch_waiters = take(waiters, n);
      std::vector<Answer> answers;
      if (n > 0) {
        try {
          answers = co_await flush(batch_items);
        } catch (const std::exception& e) {
          answers.assign(n,
                         Answer(make_error(errc::internal,
                                           std::string("group commit: flush threw: ") + e.what())));
        }
        if (answers.size() != n) {
          answers.assign(
              n, Answer(make_error(errc::internal, "group commit: the flush answered " +
                                                       std::to_string(answers.size()) + " of " +
                                                       std::to_string(n) + " items")));
        }
        {
          std::lock_guard lock(admission);
          stats.batches += 1;
          stats.items += n;
          stats.largest_batch = std::max(stats.largest_batch, n);
        }
      }
      for (std::size_t i = 0; i < n; ++i) answer(batch_waiters[i], std::move(answers[i]));
      flushing = false;
      schedule();
    }

    void close(on_close what) {
      closing = true;
      draining = what == on_close::drain;
      ++timer_generation;
      timer_armed = false;
      timer.cancel();
      if (draining) {
        schedule();
        return;
      }
      for (auto& w : waiters) answer(w, Answer(opts.cancelled));
      waiters.clear();
      items.clear();
    }

    template <class T>
    static std::vector<T> take(std::deque<T>& from, std::size_t n) {
      std::vector<T> out;
      out.reserve(n);  // no reallocation: every element is move-constructed once
      for (std::size_t i = 0; i < n; ++i) {
        out.push_back(std::move(from.front()));
        from.pop_front();
      }
      return out;
    }
  };

  struct initiation {
    state* st;
    template <class Handler>
    void operator()(Handler&& handler, Item item) const {
      auto caller = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
      waiter w{completion(std::forward<Handler>(handler)),
               boost::asio::prefer(boost::asio::any_io_executor(caller),
                                   boost::asio::execution::outstanding_work.tracked)};
      std::unique_lock lock(st->admission);
      if (st->closed || (st->opts.max_pending != 0 &&
                         st->pending.load(std::memory_order_acquire) >= st->opts.max_pending)) {
        const ::syncline::error refusal = st->closed ? st->opts.closed : st->opts.full;
        lock.unlock();
        boost::asio::post(w.caller, [h = std::move(w.handler), refusal]() mutable {
          std::move(h)(Answer(refusal));
        });
        return;
      }
      st->pending.fetch_add(1, std::memory_order_acq_rel);
      boost::asio::dispatch(
          st->strand, [st = st->shared_from_this(), item = std::move(item),
                       w = std::move(w)]() mutable { st->enqueue(std::move(item), std::move(w)); });
    }
  };

  std::shared_ptr<state> state_;
};

}  // namespace syncline::detail
