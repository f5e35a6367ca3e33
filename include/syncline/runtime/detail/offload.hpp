// Runs a blocking call (a store transaction) on another thread and resumes the awaiting
// coroutine on its own executor with the answer: the io threads never wait for an fsync.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace syncline::detail {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
      [&pool](auto handler, F fn) {
        // The guard keeps the caller's io_context from running out of work while we are away.
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        boost::asio::post(
            pool, [h = std::move(handler), fn = std::move(fn), work = std::move(work)]() mutable {
              // The call's captures are released here, before the caller resumes: nothing the
              // caller owns may be touched from this thread once it runs again.
              R r = [&] {
                F call = std::move(fn);
                return call();
              }();
              auto ex = work.get_executor();
              boost::asio::post(ex, boost::asio::append(std::move(h), std::move(r)));
              work.reset();
            });
      },
      boost::asio::use_awaitable, std::move(f));
}

}  // namespace syncline::detail
