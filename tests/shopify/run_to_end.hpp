// Runs the coroutine `f()` on `ex` and waits for its value: how a test calls asynchronous
// library code from its own thread. (shopify_fixture.hpp's fixture::run also takes void ones.)
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <utility>

namespace shop_test {

template <class F>
auto run_to_end(boost::asio::any_io_executor ex, F f) {
  using T = typename decltype(f())::value_type;
  std::optional<T> out;
  boost::asio::co_spawn(
      ex, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await f()); },
      boost::asio::use_future)
      .get();
  return std::move(*out);
}

}  // namespace shop_test
