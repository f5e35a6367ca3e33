// syncline::store::group_commit: many concurrent enqueues, one transaction. Webhook handlers
// (coroutines on any executor) co_await submit(run); a single writer thread takes everything
// waiting, up to max_batch, commits it with one store::enqueue() call (one fsync), and resumes
// each waiter on its own executor with its own answer. While one batch is being committed the
// next one gathers, so batches grow with load and an idle system commits each event at once:
// no timer, no added latency.
// A submit answers accepted or duplicate (durable either way) or errc::unavailable (the queue is
// full, or too many submitters wait): answer the webhook 200 or 503 accordingly. The engine's
// ingress is the user; tests/store/group_commit_test.cpp shows the calls.
//
// Destroy the group_commit before the io_contexts of its submitters: it answers every submit
// still waiting when it stops, and those answers are posted to the submitters' executors.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
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

class group_commit {
 public:
  using options = group_commit_options;

  struct statistics {
    std::uint64_t batches = 0;  // transactions attempted
    std::uint64_t runs = 0;     // submits those transactions answered
    std::size_t largest_batch = 0;
  };

  // `target` must outlive this object.
  explicit group_commit(store& target, options opts = {})
      : store_(target), opts_(sanitized(opts)), writer_([this] { write_loop(); }) {}

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
        [this](auto handler, new_run r) { initiate(std::move(handler), std::move(r)); }, token,
        std::move(run));
  }

  // The coroutine form of async_submit.
  SYNCLINE_DECL boost::asio::awaitable<result<enqueue_result>> submit(new_run run);

  // Refuses new submits, commits everything already waiting, and stops the writer thread.
  // Call it from one thread (the owner's); the destructor calls it too.
  SYNCLINE_DECL void stop();

  // Submits not yet answered.
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return pending_;
  }

  statistics stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  // A submitter's completion handler with its type erased, so that waiters of every kind share
  // one queue. Holding it keeps the handler's executor from running out of work (an
  // io_context::run() does not return while its coroutine waits for the writer thread).
  class waiting_handler {
   public:
    virtual ~waiting_handler() = default;
    // Posts the answer to the handler's own executor: never runs it on the writer thread.
    virtual void answer(result<enqueue_result> r) = 0;
  };

  template <class Handler>
  class typed_waiting_handler final : public waiting_handler {
   public:
    explicit typed_waiting_handler(Handler h)
        : handler_(std::move(h)),
          work_(boost::asio::get_associated_executor(handler_, boost::asio::system_executor())) {}
    void answer(result<enqueue_result> r) override {
      boost::asio::post(boost::asio::append(std::move(handler_), std::move(r)));
      work_.reset();  // the posted handler now keeps the executor busy
    }

   private:
    Handler handler_;
    boost::asio::executor_work_guard<
        boost::asio::associated_executor_t<Handler, boost::asio::system_executor>>
        work_;
  };

  struct waiter {
    new_run run;
    std::unique_ptr<waiting_handler> handler;
  };

  static options sanitized(options o) {
    o.max_batch = std::max<std::size_t>(o.max_batch, 1);
    return o;
  }

  template <class Handler>
  void initiate(Handler handler, new_run run) {
    waiter w{std::move(run), std::make_unique<typed_waiting_handler<Handler>>(std::move(handler))};
    if (auto refusal = admit(w)) w.handler->answer(std::move(*refusal));
  }

  // Queues w (and returns nullopt), or returns why it is refused and leaves w to the caller.
  SYNCLINE_DECL std::optional<::syncline::error> admit(waiter& w);

  SYNCLINE_DECL static result<enqueue_result> answer_for(
      const result<std::vector<enqueue_result>>& committed, std::size_t i);

  SYNCLINE_DECL result<std::vector<enqueue_result>> commit(std::span<const new_run> runs);

  SYNCLINE_DECL void write_loop();

  store& store_;
  const options opts_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<waiter> queue_;
  std::size_t pending_ = 0;
  bool stopping_ = false;
  statistics stats_;
  std::thread writer_;  // last: starts after every member it uses is constructed
};

}  // namespace syncline::store

#if SYNCLINE_HEADER_ONLY
#include <syncline/store/impl/group_commit.ipp>
#endif
