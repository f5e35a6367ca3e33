// Runs an awaitable to completion on a fresh io_context, for the core tests of asynchronous
// workflows; an exception thrown inside the awaitable comes out of io.run().
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace core_test {

template <class T>
T run_blocking(boost::asio::awaitable<T> a) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(a)); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return std::move(*out);
}

}  // namespace core_test
