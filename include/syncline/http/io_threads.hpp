// An io_context run by N threads, joined on destruction: what tests, examples and small
// services would otherwise hand-roll around the server and the client.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace syncline::http {

class io_threads {
 public:
  // `on_exception` sees anything a handler lets escape; the thread then keeps running the
  // context, so one faulty handler does not take the service down.
  explicit io_threads(std::size_t threads = 1,
                      std::function<void(std::exception_ptr)> on_exception = {})
      : ctx_(static_cast<int>(threads == 0 ? 1 : threads)),
        guard_(std::in_place, ctx_.get_executor()),
        on_exception_(std::move(on_exception)) {
    const std::size_t n = threads == 0 ? 1 : threads;
    threads_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
  }

  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;

  // Stops the context (pending work is abandoned) and joins. Call join() first for a graceful
  // end: stop the server, then join() returns once in-flight requests are done.
  ~io_threads() {
    ctx_.stop();
    join_threads();
  }

  boost::asio::io_context& context() noexcept { return ctx_; }
  boost::asio::any_io_executor executor() noexcept { return ctx_.get_executor(); }
  std::size_t size() const noexcept { return threads_.size(); }

  // Lets the threads finish once no work is left, and waits for them.
  void join() {
    guard_.reset();
    join_threads();
  }

  // Abandons pending work and waits for the threads.
  void stop() {
    ctx_.stop();
    join_threads();
  }

 private:
  void run() {
    for (;;) {
      try {
        ctx_.run();
        return;
      } catch (...) {
        if (on_exception_) on_exception_(std::current_exception());
      }
    }
  }

  void join_threads() {
    for (auto& t : threads_)
      if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }

  boost::asio::io_context ctx_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::function<void(std::exception_ptr)> on_exception_;
  std::vector<std::thread> threads_;
};

}  // namespace syncline::http
