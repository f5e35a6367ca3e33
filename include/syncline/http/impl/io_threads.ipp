// The bodies of <syncline/http/io_threads.hpp>.
#pragma once

#include <syncline/http/io_threads.hpp>

#include <utility>

namespace syncline::http {

SYNCLINE_DECL io_threads::io_threads(std::size_t threads,
                                     std::function<void(std::exception_ptr)> on_exception)
    : ctx_(static_cast<int>(threads == 0 ? 1 : threads)),
      guard_(std::in_place, ctx_.get_executor()),
      on_exception_(std::move(on_exception)) {
  const std::size_t n = threads == 0 ? 1 : threads;
  threads_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
}

SYNCLINE_DECL io_threads::~io_threads() {
  ctx_.stop();
  join_threads();
}

SYNCLINE_DECL boost::asio::any_io_executor io_threads::executor() noexcept {
  return ctx_.get_executor();
}

SYNCLINE_DECL void io_threads::join() {
  guard_.reset();
  join_threads();
}

SYNCLINE_DECL void io_threads::stop() {
  ctx_.stop();
  join_threads();
}

SYNCLINE_DECL void io_threads::run() {
  for (;;) {
    try {
      ctx_.run();
      return;
    } catch (...) {
      if (on_exception_) on_exception_(std::current_exception());
    }
  }
}

SYNCLINE_DECL void io_threads::join_threads() {
  for (auto& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

}  // namespace syncline::http
