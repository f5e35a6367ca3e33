// Wakes the executor's dispatcher when there may be work (an event was queued, a run finished),
// from any thread, without a lock on the hot path: ring() costs one atomic exchange unless the
// dispatcher is actually asleep. A ring that arrives before the dispatcher starts waiting is
// remembered, so no wake-up is lost.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>

namespace syncline::detail {

class doorbell {
 public:
  // `strand`: the executor of the single waiter; the timer lives on it.
  explicit doorbell(boost::asio::any_io_executor strand) : timer_(std::move(strand)) {}

  void ring() {
    rung_.store(true, std::memory_order_release);
    if (asleep_.exchange(false, std::memory_order_acq_rel))
      boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
  }

  // Waits until rung or `up_to` passed. Only the one waiter calls it, on the strand.
  boost::asio::awaitable<void> wait(std::chrono::steady_clock::duration up_to) {
    asleep_.store(true, std::memory_order_release);
    if (rung_.exchange(false, std::memory_order_acq_rel)) {
      asleep_.store(false, std::memory_order_release);
      co_return;
    }
    timer_.expires_after(up_to);
    boost::system::error_code ec;
    co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    asleep_.store(false, std::memory_order_release);
    // Whatever rang is seen by the claim that follows (it comes after the ring's commit).
    rung_.store(false, std::memory_order_release);
  }

 private:
  boost::asio::steady_timer timer_;
  std::atomic<bool> rung_{false};
  std::atomic<bool> asleep_{false};
};

}  // namespace syncline::detail
