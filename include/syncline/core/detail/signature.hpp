// How one block behaves for one input type: whether it accepts it, what it produces, and how
// (pure / may fail / may skip / asynchronous). Computed by the compiler, never at run time.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <optional>
#include <type_traits>

namespace syncline::detail {

// The four ways a block's code can be driven by a runner.
enum class protocol {
  call,       // operator()(In[, ctx]) -> Out / result / outcome / awaitable of those
  inspect,    // inspect(const In&[, ctx]) -> void / bool / result<void|bool> / awaitable: passes In
              // on
  recover,    // handle(const error&[, ctx]) -> In / optional<In> / result<In> / outcome<In>
  composite,  // runs nested pipelines; describes itself with `signature<In>`
};

// A block may say how it is driven with `static constexpr detail::protocol block_protocol`;
// deriving from syncline::guard says `inspect`.
template <class B>
constexpr protocol declared_protocol() noexcept {
  if constexpr (requires { B::block_protocol; })
    return B::block_protocol;
  else if constexpr (std::is_base_of_v<guard, B>)
    return protocol::inspect;
  else
    return protocol::call;
}

// Stands for "no type": the output after a block that did not accept its input.
struct poison {};

// --- What a return type says -------------------------------------------------------------

template <class R>
struct returned {
  using value = std::remove_cvref_t<R>;
  static constexpr bool async = false, may_fail = false, may_skip = false;
};
template <class U>
struct returned<result<U>> {
  using value = U;
  static constexpr bool async = false, may_fail = true, may_skip = false;
};
template <class U>
struct returned<outcome<U>> {
  using value = U;
  static constexpr bool async = false, may_fail = true, may_skip = true;
};
template <class X, class Executor>
struct returned<boost::asio::awaitable<X, Executor>> : returned<X> {
  static constexpr bool async = true;
};

template <class T>
struct is_awaitable : std::false_type {};
template <class X, class Executor>
struct is_awaitable<boost::asio::awaitable<X, Executor>> : std::true_type {};

// --- The parameter a callable expects, for "expected X, got Y" diagnostics ------------------

template <class M>
struct member_first_parameter {
  using type = diagnostic::generic_parameter;
};
template <class R, class C, class A, class... Rest>
struct member_first_parameter<R (C::*)(A, Rest...) const> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class C, class A, class... Rest>
struct member_first_parameter<R (C::*)(A, Rest...) const noexcept> {
  using type = std::remove_cvref_t<A>;
};
// A non-const call operator cannot be called on a block stored in a constexpr workflow.
template <class R, class C, class A, class... Rest>
struct member_first_parameter<R (C::*)(A, Rest...)> {
  using type = diagnostic::call_operator_must_be_const;
};
template <class R, class C, class A, class... Rest>
struct member_first_parameter<R (C::*)(A, Rest...) noexcept> {
  using type = diagnostic::call_operator_must_be_const;
};

template <class F>
struct first_parameter {
  using type = diagnostic::generic_parameter;
};
template <class F>
requires requires { &F::operator(); }
struct first_parameter<F> : member_first_parameter<decltype(&F::operator())> {};
template <class R, class A, class... Rest>
struct first_parameter<R (*)(A, Rest...)> {
  using type = std::remove_cvref_t<A>;
};
template <class R, class A, class... Rest>
struct first_parameter<R (*)(A, Rest...) noexcept> {
  using type = std::remove_cvref_t<A>;
};

template <class F>
using first_parameter_t = typename first_parameter<F>::type;

// Callable with an lvalue of In but not with the temporary a part hands over: the parameter is
// a non-const T& (diagnostic::takes_non_const_reference).
template <class F, class In>
concept takes_lvalue_only =
    !std::is_void_v<In> && !std::is_invocable_v<const F&, In&&> &&
    !std::is_invocable_v<const F&, In&&, run_context&> &&
    (std::is_invocable_v<const F&, std::remove_reference_t<In>&> ||
     std::is_invocable_v<const F&, std::remove_reference_t<In>&, run_context&>);

// --- How a callable is invoked with an input --------------------------------------------

// Prefers (In) over (In, run_context&). `void` and `poison` inputs are accepted by nothing.
template <class F, class In>
struct invocation {
  static constexpr bool plain = false, with_context = false, callable = false;
  using type = poison;
};
template <class F, class In>
requires(!std::is_void_v<In> && !std::is_same_v<In, poison>) struct invocation<F, In> {
  static constexpr bool plain = std::is_invocable_v<const F&, In&&>;
  static constexpr bool with_context = !plain && std::is_invocable_v<const F&, In&&, run_context&>;
  static constexpr bool callable = plain || with_context;
  using type = typename std::conditional_t<
      plain, std::invoke_result<const F&, In&&>,
      std::conditional_t<with_context, std::invoke_result<const F&, In&&, run_context&>,
                         std::type_identity<poison>>>::type;
};

template <class F, class In>
[[gnu::always_inline]] inline decltype(auto) invoke_block(const F& f, In&& v, run_context& ctx) {
  if constexpr (invocation<F, In>::plain)
    return f(std::forward<In>(v));
  else
    return f(std::forward<In>(v), ctx);
}

// inspect(const In&[, ctx]) of pass-through blocks.
template <class B, class In, bool Plain, bool WithContext>
struct inspect_result {
  using type = poison;
};
template <class B, class In, bool WithContext>
struct inspect_result<B, In, true, WithContext> {
  using type = decltype(std::declval<const B&>().inspect(std::declval<const In&>()));
};
template <class B, class In>
struct inspect_result<B, In, false, true> {
  using type = decltype(std::declval<const B&>().inspect(std::declval<const In&>(),
                                                         std::declval<run_context&>()));
};

template <class B, class In>
struct inspection {
  static constexpr bool plain = false, with_context = false, callable = false;
  using type = poison;
};
template <class B, class In>
requires(!std::is_void_v<In> && !std::is_same_v<In, poison>) struct inspection<B, In> {
  // Asked through decltype, which does not need the returned type to be complete: an
  // awaitable is only declared here (core/awaitable.hpp), and `b.inspect(v);` would have to
  // materialise it.
  static constexpr bool plain = requires(const B& b, const In& v) {
    typename std::type_identity<decltype(b.inspect(v))>::type;
  };
  static constexpr bool with_context = !plain && requires(const B& b, const In& v, run_context& c) {
    typename std::type_identity<decltype(b.inspect(v, c))>::type;
  };
  static constexpr bool callable = plain || with_context;
  using type = typename inspect_result<B, In, plain, with_context>::type;
};

template <class B, class In>
[[gnu::always_inline]] inline decltype(auto) invoke_inspect(const B& b, const In& v,
                                                            run_context& ctx) {
  if constexpr (inspection<B, In>::plain)
    return b.inspect(v);
  else
    return b.inspect(v, ctx);
}

// What an inspect() result means: "true"/void = pass on, "false" = skip, error = fail.
template <class R>
inline constexpr bool valid_inspect_value = std::is_void_v<R> || std::is_same_v<R, bool>;

// --- The signature of one block for one input ---------------------------------------------

template <class B, class In, protocol P = declared_protocol<B>()>
struct block_signature;

// Filled in by the protocols below.
struct signature_defaults {
  static constexpr bool accepted = false;
  static constexpr bool fits = true;  // the block's own parts fit (a recover's handler)
  using output = poison;
  using returned_type = poison;
  static constexpr bool async = false, may_fail = false, may_skip = false, needs_context = false;
  static constexpr bool is_destination = false;
  static constexpr bool unhandled = false;  // may fail in a way error_policy::handle cares about
  static constexpr bool is_recover = false;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t part_count = 1;  // entries in a workflow's parts list
};

template <class B, class In>
struct block_signature<B, In, protocol::call> : signature_defaults {
  using call = invocation<B, In>;
  using shape = returned<typename call::type>;
  static constexpr bool accepted = call::callable;
  using returned_type = typename call::type;
  using output = std::conditional_t<accepted, typename shape::value, poison>;
  static constexpr bool async = accepted && shape::async;
  static constexpr bool may_fail = accepted && shape::may_fail;
  static constexpr bool may_skip = accepted && shape::may_skip;
  static constexpr bool needs_context = call::with_context;
  static constexpr bool is_destination = is_destination_v<B>;
  // A destination's failure is retried by the runtime under its idempotency key (rule 8).
  static constexpr bool unhandled = may_fail && !is_destination;
};

template <class B, class In>
struct block_signature<B, In, protocol::inspect> : signature_defaults {
  using call = inspection<B, In>;
  using shape = returned<typename call::type>;
  static constexpr bool accepted = call::callable;
  using returned_type = typename call::type;
  using output = std::conditional_t<accepted, In, poison>;
  static constexpr bool async = accepted && shape::async;
  static constexpr bool may_fail = accepted && shape::may_fail;
  static constexpr bool may_skip =
      accepted && (shape::may_skip || std::is_same_v<typename shape::value, bool>);
  static constexpr bool needs_context = call::with_context;
  static constexpr bool unhandled = may_fail;
};

// The handler's return, as the value it makes: In, optional<In>, result<In> or outcome<In>.
template <class R>
struct recovered {
  using value = R;
  static constexpr bool may_skip = false, may_fail = false;
};
template <class U>
struct recovered<std::optional<U>> {
  using value = U;
  static constexpr bool may_skip = true, may_fail = false;
};
template <class U>
struct recovered<result<U>> {
  using value = U;
  static constexpr bool may_skip = false, may_fail = true;
};
template <class U>
struct recovered<outcome<U>> {
  using value = U;
  static constexpr bool may_skip = true, may_fail = true;
};

template <class B, class In>
struct block_signature<B, In, protocol::recover> : signature_defaults {
  using handler = typename B::handler_type;
  using call = invocation<handler, const ::syncline::error&>;
  using shape = recovered<std::remove_cvref_t<typename call::type>>;
  static constexpr bool accepted = !std::is_void_v<In> && !std::is_same_v<In, poison>;
  static constexpr bool fits = call::callable && std::is_convertible_v<typename shape::value, In>;
  using returned_type = typename call::type;
  using output = std::conditional_t<accepted, In, poison>;
  // A handler that gives up (result error) or skips makes the recover block fallible itself.
  static constexpr bool may_fail = shape::may_fail, may_skip = shape::may_skip;
  static constexpr bool needs_context = call::with_context;
  static constexpr bool unhandled = may_fail;
  static constexpr bool is_recover = true;
};

template <class B, class In>
struct block_signature<B, In, protocol::composite> : B::template signature<In> {};

}  // namespace syncline::detail
