// syncline::awaitable<T>: boost::asio::awaitable<T> named without including Asio. Core and
// blocks only name the type (in declarations and in templates); a coroutine body is instantiated
// where a run is started (the engine's runner, a test's run_blocking), and that code includes
// <boost/asio/awaitable.hpp> itself. So a TU that only declares workflows parses no Asio
// (about 1 s of the compiler's time and 150 MB).
//
// The declaration below repeats Boost 1.81's without the default argument
// (`Executor = any_io_executor`), which may be given only once: Asio's header gives it, before or
// after this one. syncline::awaitable<T> names the executor explicitly, so it needs no default.
#pragma once

#if defined(BOOST_ASIO_USE_TS_EXECUTOR_AS_DEFAULT)
// There any_io_executor is a typedef, which cannot be declared ahead: take Asio's header.
#include <boost/asio/awaitable.hpp>
#else
namespace boost::asio {
class any_io_executor;
template <typename T, typename Executor>
class awaitable;
}  // namespace boost::asio
#endif

namespace syncline {

template <class T>
using awaitable = boost::asio::awaitable<T, boost::asio::any_io_executor>;

namespace detail {
template <class T, class D>
struct dependent_awaitable {
  using type = awaitable<T>;
};
}  // namespace detail

// awaitable<T>, the same type, spelled so that it depends on a template parameter D. A coroutine
// defined in a template whose return type does not otherwise depend on the template (a
// workflow's run) needs it: a non-dependent return type must be complete where the function is
// defined, a dependent one only where it is instantiated, after Asio's header.
template <class T, class D>
using awaitable_for = typename detail::dependent_awaitable<T, D>::type;

}  // namespace syncline
