// An io_context run by N threads, joined on destruction: what tests, examples and small
// services would otherwise hand-roll around the server and the client.
#pragma once

#include <syncline/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace syncline::http {

class io_threads {
 public:
  // `on_exception` sees anything a handler lets escape; the thread then keeps running the
  // context, so one faulty handler does not take the service down.
  SYNCLINE_DECL explicit io_threads(std::size_t threads = 1,
                                    std::function<void(std::exception_ptr)> on_exception = {});

  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;

  // Stops the context (pending work is abandoned) and joins. Call join() first for a graceful
  // end: stop the server, then join() returns once in-flight requests are done.
  SYNCLINE_DECL ~io_threads();

  boost::asio::io_context& context() noexcept { return ctx_; }
  SYNCLINE_DECL boost::asio::any_io_executor executor() noexcept;
  std::size_t size() const noexcept { return threads_.size(); }

  // Lets the threads finish once no work is left, and waits for them.
  SYNCLINE_DECL void join();

  // Abandons pending work and waits for the threads.
  SYNCLINE_DECL void stop();

 private:
  SYNCLINE_DECL void run();

  SYNCLINE_DECL void join_threads();

  boost::asio::io_context ctx_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::function<void(std::exception_ptr)> on_exception_;
  std::vector<std::thread> threads_;
};

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/io_threads.ipp>
#endif
