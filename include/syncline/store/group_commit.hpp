// syncline::store::group_commit: many concurrent enqueues, one transaction. Webhook handlers
// (coroutines on any executor) co_await submit(run); a single writer thread takes everything
// waiting, up to max_batch, commits it with one store::enqueue() call (one fsync), and resumes
// each waiter on its own executor with its own answer. While one batch is being committed the
// next one gathers, so batches grow with load and an idle system commits each event at once:
// no timer, no added latency. The gathering is syncline's one group commit
// (core/detail/group_commit_queue.hpp, which the warehouse sinks use too).
// A submit answers accepted or duplicate (durable either way) or errc::unavailable (the queue is
// full, or too many submitters wait): answer the webhook 200 or 503 accordingly. The engine's
// ingress is the user; tests/store/group_commit_test.cpp shows the calls. The engine's executor
// hands it the ends of runs too (finish): they are written in the next batch's transaction with
// its runs (store::enqueue_and_finish), so an end costs no transaction of its own. An entry of the
// queue may hold several runs (submit_all: one webhook delivery that starts several workflows):
// they join one batch together, so one delivery costs one wait and one transaction.
//
// Destroy the group_commit before the io_contexts of its submitters: it answers every submit
// still waiting when it stops, and those answers are posted to the submitters' executors.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/detail/group_commit_queue.hpp>
#include <syncline/core/result.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace syncline::store {

struct group_commit_options {
  // Most runs in one transaction: bounds a transaction's duration and the writer's memory.
  std::size_t max_batch = 512;
  // Most submits waiting for their answer (gathering or being committed). Past it, submit answers
  // errc::unavailable at once, which the webhook server turns into 503 + Retry-After.
  std::size_t max_pending = 10'000;
};

// Lets the runs a batch queues be leased in its own transaction (store::enqueue_and_lease) to a
// taker that runs them at once: the engine's executor, while it has idle workers, so those runs
// need no claim. Both calls come from the writer thread.
struct lease_taker {
  std::string worker{};
  std::chrono::milliseconds lease{};
  // Before a batch of `n` runs: how many of them the taker would run now, held for it until take.
  std::function<std::size_t(std::size_t n)> reserve{};
  // After the batch's transaction: the runs leased to it (none when the transaction failed),
  // how many reserve() held for them, and how many runs it queued without a lease (they wait for
  // a claim: the taker's to announce).
  std::function<void(std::vector<claimed_run> leased, std::size_t reserved, std::size_t waiting)>
      take{};
};

class group_commit {
 public:
  using options = group_commit_options;

  struct statistics {
    std::uint64_t batches = 0;  // transactions attempted
    std::uint64_t runs = 0;     // submits those transactions answered
    std::size_t largest_batch = 0;
  };

  // `target` must outlive this object. With a `taker` (both functions set), each batch asks it
  // how many of its runs to lease, and tells it what the batch queued.
  SYNCLINE_DECL explicit group_commit(store& target, options opts = {}, lease_taker taker = {});

  group_commit(const group_commit&) = delete;
  group_commit& operator=(const group_commit&) = delete;

  ~group_commit() { stop(); }

  // Answers accepted/duplicate once the run (or the original run) is durable; an error
  // otherwise: errc::unavailable when the queue or this group commit is full (retry later),
  // errc::invalid_input for a run without its names, errc::storage when the commit failed.
  // Any completion token works (use_awaitable, use_future, a callback); a handler without an
  // associated executor runs on asio's system executor.
  template <class CompletionToken>
  auto async_submit(new_run run, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(result<enqueue_result>)>(
        [this](auto handler, new_run r) {
          auto ex = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
          std::vector<new_run> one;
          one.push_back(std::move(r));
          async_submit_all(
              std::move(one),
              boost::asio::bind_executor(ex, [h = std::move(handler)](result<answers> a) mutable {
                std::move(h)(only_answer(std::move(a)));
              }));
        },
        token, std::move(run));
  }

  // The coroutine form of async_submit.
  SYNCLINE_DECL boost::asio::awaitable<result<enqueue_result>> submit(new_run run);

  // One answer per run of an entry, in order.
  using answers = std::vector<result<enqueue_result>>;

  // Several runs as one entry: committed in the same transaction and answered together, each
  // with its own answer (accepted, duplicate, or the error of that run). The entry as a whole is
  // refused (errc::unavailable) when the group commit is full or stopped, and (errc::
  // invalid_input) when a run lacks its names: then none of its runs is written.
  template <class CompletionToken>
  auto async_submit_all(std::vector<new_run> runs, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(result<answers>)>(
        [this](auto handler, std::vector<new_run> r) {
          auto ex = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
          for (const auto& run : r) {
            if (auto v = validate(run); !v) {
              // Refused before it joins a batch, answered on the handler's executor like any
              // answer.
              boost::asio::post(ex, boost::asio::append(std::move(handler),
                                                        result<answers>(std::move(v).error())));
              return;
            }
          }
          queue_.async_submit(entry{.runs = std::move(r)},
                              boost::asio::bind_executor(
                                  ex, [h = std::move(handler)](result<entry_answers> a) mutable {
                                    if (!a)
                                      return std::move(h)(result<answers>(std::move(a).error()));
                                    std::move(h)(result<answers>(std::move(a->queued)));
                                  }));
        },
        token, std::move(runs));
  }

  // The coroutine form of async_submit_all.
  SYNCLINE_DECL boost::asio::awaitable<result<answers>> submit_all(std::vector<new_run> runs);

  // One answer per end, in order (store::finish_many's).
  using end_answers = std::vector<result<void>>;

  // Ends of runs, with their block events, written in the transaction of the next batch, with
  // the runs queued there (store::enqueue_and_finish): the engine's executor hands its ends here,
  // so that a run's end costs no transaction of its own. `ends` (and the runs they point to) and
  // `events` must stay valid until the answer: they are written where they are, not copied.
  // Answered with one answer per end once written; errc::unavailable when the group commit is full
  // or stopped: then nothing was written, and the caller writes the ends itself
  // (store::finish_many).
  template <class CompletionToken>
  auto async_finish(std::span<const run_completion> ends,
                    std::span<const block_event_record> events, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(result<end_answers>)>(
        [this](auto handler, std::span<const run_completion> e,
               std::span<const block_event_record> ev) {
          auto ex = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
          queue_.async_submit(entry{.ends = e, .events = ev},
                              boost::asio::bind_executor(ex, [h = std::move(handler)](
                                                                 result<entry_answers> a) mutable {
                                if (!a)
                                  return std::move(h)(result<end_answers>(std::move(a).error()));
                                std::move(h)(result<end_answers>(std::move(a->ended)));
                              }));
        },
        token, ends, events);
  }

  // The coroutine form of async_finish.
  SYNCLINE_DECL boost::asio::awaitable<result<end_answers>> finish(
      std::span<const run_completion> ends, std::span<const block_event_record> events);

  // Refuses new submits, commits everything already waiting, and stops the writer thread.
  // Call it from one thread (the owner's); the destructor calls it too.
  SYNCLINE_DECL void stop();

  // Submits not yet answered.
  std::size_t pending() const { return queue_.pending(); }

  SYNCLINE_DECL statistics stats() const;

 private:
  // An entry of the queue: the runs of one submit, or the ends of one finish.
  struct entry {
    std::vector<new_run> runs{};
    std::span<const run_completion> ends{};
    std::span<const block_event_record> events{};
  };
  struct entry_answers {
    answers queued{};
    end_answers ended{};
  };

  // The one group commit (core/detail/group_commit_queue.hpp). Its flushes block in SQLite, so
  // they run on an io_context of their own, run by writer_: the queue's strand is then exactly
  // a writer thread, and no submitter's executor ever waits for an fsync. max_batch counts
  // entries.
  using queue = ::syncline::detail::group_commit_queue<entry, result<entry_answers>>;

  SYNCLINE_DECL static queue::options queue_options(const options& o);

  // One transaction for the batch (one store::enqueue, or store::enqueue_and_finish when ends
  // wait too, of every entry's runs and ends), and each entry's own answers.
  SYNCLINE_DECL boost::asio::awaitable<std::vector<result<entry_answers>>> commit(
      std::vector<entry>& entries);

  // A one-run entry's answer.
  SYNCLINE_DECL static result<enqueue_result> only_answer(result<answers> a);

  SYNCLINE_DECL static result<enqueue_result> answer_for(
      const result<std::vector<enqueue_result>>& committed, std::size_t i);

  store& store_;
  lease_taker taker_;
  boost::asio::io_context writer_context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> writer_work_;
  queue queue_;
  std::once_flag stopped_;
  std::thread writer_;  // last: starts after every member it uses is constructed
};

}  // namespace syncline::store

#if SYNCLINE_HEADER_ONLY
#include <syncline/store/impl/group_commit.ipp>
#endif
