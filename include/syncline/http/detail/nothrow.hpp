// Completion tokens shared by the client and the server.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace syncline::http::detail {

// `co_await op(use_nothrow)` yields (error_code, values...) instead of throwing: network
// failures are ordinary outcomes here, turned into result<T> by the caller.
inline constexpr auto use_nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

// For co_spawn: a coroutine that escaped with an exception is a bug; rethrowing surfaces it
// from io_context::run() (io_threads reports it) instead of silently dropping it.
struct rethrow_on_exception {
  void operator()(std::exception_ptr e) const {
    if (e) std::rethrow_exception(e);
  }
};

}  // namespace syncline::http::detail
