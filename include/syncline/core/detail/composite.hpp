// What branch, route, for_each and also share: joining the outputs of several arms into one
// type, and running one arm with its name (or element index) recorded for idempotency keys.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/detail/execute.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>
#include <variant>

namespace syncline::detail {

// --- Joining arm outputs (rule 6) -----------------------------------------------------------

template <class T, class... U>
inline constexpr bool one_of = (std::is_same_v<T, U> || ...);

template <class List, class... T>
struct unique;
template <class... Seen>
struct unique<type_list<Seen...>> {
  using type = type_list<Seen...>;
};
template <class... Seen, class T, class... Rest>
struct unique<type_list<Seen...>, T, Rest...>
    : unique<std::conditional_t<one_of<T, Seen...>, type_list<Seen...>, type_list<Seen..., T>>,
             Rest...> {};

template <class List>
struct variant_of;
template <class T>
struct variant_of<type_list<T>> {
  using type = T;
};
template <class... T>
struct variant_of<type_list<T...>> {
  using type = std::variant<T...>;
};

template <class... T>
struct common_of {
  using type = void;
  static constexpr bool exists = false;
};
template <class... T>
requires requires { typename std::common_type<T...>::type; }
struct common_of<T...> {
  using type = std::common_type_t<T...>;
  static constexpr bool exists = true;
};

// The one type the arms of a branch or route produce:
//   - all arms end in a destination: void (the composite block is a destination);
//   - all produce T: T;
//   - their common type is one of them (e.g. a derived-to-base or int/long): that type;
//   - else std::variant of the distinct types.
// An arm ending in a destination beside one producing a value cannot be joined (rule 6).
template <class... Out>
struct join {
  static constexpr bool all_void = (std::is_void_v<Out> && ...);
  static constexpr bool any_void = (std::is_void_v<Out> || ...);
  static constexpr bool any_poison = (std::is_same_v<Out, poison> || ...);
  static constexpr bool ok = !any_poison && (all_void || !any_void);
  static constexpr bool common_is_one_of_them =
      common_of<Out...>::exists && one_of<typename common_of<Out...>::type, Out...>;
  using type = typename std::conditional_t<
      !ok, std::type_identity<poison>,
      std::conditional_t<
          all_void, std::type_identity<void>,
          std::conditional_t<common_is_one_of_them, common_of<Out...>,
                             variant_of<typename unique<type_list<>, Out...>::type>>>>::type;
};

template <class J, class A>
J make_joined(A&& a) {
  if constexpr (std::is_same_v<J, std::remove_cvref_t<A>>)
    return std::forward<A>(a);
  else if constexpr (
      requires { std::variant_size<J>::value; } &&
      requires { J(std::in_place_type<std::remove_cvref_t<A>>, std::forward<A>(a)); })
    return J(std::in_place_type<std::remove_cvref_t<A>>, std::forward<A>(a));
  else
    return J(std::forward<A>(a));
}

template <class J, class A>
outcome<J> to_joined(outcome<A>&& o) {
  if constexpr (std::is_same_v<J, A>) {
    return std::move(o);
  } else {
    if (o.has_value()) return make_joined<J>(std::move(o).value());
    if (o.is_skipped()) return o.skip_info();
    return std::move(o).error();
  }
}

// --- Running arms ---------------------------------------------------------------------------

// Runs an arm synchronously and converts its outcome to the joined type. `step` tells arms
// (or elements) apart in idempotency keys; it is recorded only if the arm uses the context.
template <class J, class Flow, class Arm, class V>
outcome<J> run_arm_sync(const Arm& arm, V&& v, run_context& ctx, key_step step) {
  if constexpr (Flow::needs_context) {
    arm_scope scope(ctx, step);
    return to_joined<J>(run_sync<Flow, false, 0, Flow::size>(arm.blocks, std::forward<V>(v), ctx));
  } else {
    (void)step;
    return to_joined<J>(run_sync<Flow, false, 0, Flow::size>(arm.blocks, std::forward<V>(v), ctx));
  }
}

template <class J, class Flow, class Arm, class V>
syncline::awaitable<outcome<J>> run_arm_async(const Arm& arm, V v, run_context& ctx,
                                              key_step step) {
  if constexpr (Flow::needs_context) {
    arm_scope scope(ctx, step);
    co_return to_joined<J>(co_await run_async<Flow, false, 0>(arm.blocks, std::move(v), ctx));
  } else {
    co_return to_joined<J>(co_await run_async<Flow, false, 0>(arm.blocks, std::move(v), ctx));
  }
}

// An already-known outcome as an awaitable, for composite blocks whose other arms suspend.
template <class J, class Flow, class Arm, class V>
syncline::awaitable<outcome<J>> run_arm_as_awaitable(const Arm& arm, V v, run_context& ctx,
                                                     key_step step) {
  if constexpr (Flow::async)
    co_return co_await run_arm_async<J, Flow>(arm, std::move(v), ctx, step);
  else
    co_return run_arm_sync<J, Flow>(arm, std::move(v), ctx, step);
}

// The blocks of an arm, for checks that look inside composite blocks (apps of an integration).
template <class Arm>
struct arm_blocks;
template <class... B>
struct arm_blocks<pipeline<no_trigger, B...>> {
  using type = type_list<B...>;
};
template <class Arm>
using arm_blocks_t = typename arm_blocks<Arm>::type;

// The common fields of a composite block's signature.
template <class Output, bool Async>
using composite_returned =
    std::conditional_t<Async, syncline::awaitable<outcome<Output>>, outcome<Output>>;

}  // namespace syncline::detail
