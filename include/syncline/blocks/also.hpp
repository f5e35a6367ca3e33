// syncline::also<"copy_to_app">(destination): sends the value to a second destination and passes
// the same value on, so that one record reaches two places in one run:
//
//   shopify::webhook<"orders/create">{} |
//   syncline::also<"stream_to_app">(data_stream::send_to<"orders">{}) |
//   syncline::map<"to_row">(to_order_row) | warehouse::write_to<orders_warehouse>{}
//
// (stream_orders of examples/shopify_sync/seed_integration.hpp, without its echo guard)
//
// The argument is a destination, or an arm ending in one (`map<"name">(f) | destination`) when
// the copy must be reshaped first. The destination's failure fails the run, named after the also
// block; a skip inside the arm only means the copy was not sent: the run goes on with the value.
// The arm has its own idempotency keys (<also>.copy.<block>), apart from the workflow's own
// destination, so both writes stay exactly-once when the run is retried.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/composite.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/parts.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

namespace detail {
// Whether an arm can be run on a const reference to the value instead of a copy of it: the
// blocks that only look at it (inspect, recover) are fine, and so is a first block that takes
// `const T&` or `T` (which copies only if it wants to). Composite blocks get a copy.
template <class In, class B, class... Rest>
constexpr bool lends_to_arm() {
  constexpr protocol p = declared_protocol<B>();
  if constexpr (p == protocol::inspect || p == protocol::recover) {
    if constexpr (sizeof...(Rest) == 0)
      return true;
    else
      return lends_to_arm<In, Rest...>();
  } else if constexpr (p == protocol::call) {
    if constexpr (invocation<B, In>::plain)
      return std::is_invocable_v<const B&, const In&>;
    else
      return std::is_invocable_v<const B&, const In&, run_context&>;
  } else {
    return false;
  }
}

template <class In, class Arm>
struct arm_lends;
template <class In>
struct arm_lends<In, pipeline<no_trigger>> : std::false_type {};
// A small trivially copyable value is not lent but copied: the copy costs what lending and then
// passing the value on costs, and it keeps the value passed on out of the arm's sight. Lent, its
// address escapes into the arm, and the value passed on must be read back from memory after the
// arm (g++ does that with 16-byte loads of data just written by 8-byte stores, which stalls store
// forwarding: +40% for an 80-byte record in bench_pipeline's fan_out); copied, it stays in
// registers. A large one is lent: it lives in memory anyway, and a copy would be a second memcpy.
template <class In>
inline constexpr bool copied_for_arm = std::is_trivially_copyable_v<In> && sizeof(In) <= 128;

template <class In, class... B>
struct arm_lends<In, pipeline<no_trigger, B...>>
    : std::bool_constant<!copied_for_arm<In> && lends_to_arm<In, B...>()> {};

// The last block of an arm, or `diagnostic::nothing` for an empty one.
template <class Arm>
struct last_block {
  using type = diagnostic::nothing;
};
template <class... B>
requires(sizeof...(B) != 0) struct last_block<pipeline<no_trigger, B...>> {
  using type = type_at_t<sizeof...(B) - 1, type_list<B...>>;
};
}  // namespace detail

template <fixed_string Name, class Arm>
struct also_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "also";
  static constexpr detail::protocol block_protocol = detail::protocol::composite;
  static constexpr bool has_own_checks = true;
  static constexpr fixed_string arm_names = "copy";
  // The integration's app check (rule 3) looks through these at the destination's app.
  using nested_blocks = detail::arm_blocks_t<Arm>;

  [[no_unique_address]] Arm arm;

  template <class In>
  struct signature : detail::signature_defaults {
    using arm_flow = detail::arm_flow_t<Arm, In>;
    static constexpr bool accepted = !std::is_void_v<In> && !std::is_same_v<In, detail::poison> &&
                                     arm_flow::ok && arm_flow::ends_in_destination;
    using output = std::conditional_t<accepted, In, detail::poison>;
    static constexpr bool async = arm_flow::async;
    static constexpr bool may_fail = arm_flow::may_fail;
    static constexpr bool may_skip = false;  // a skip in the arm only means no copy was sent
    // A copy that cannot fail costs nothing to hand back: the block then returns the value.
    using returned_type = std::conditional_t<async, syncline::awaitable<outcome<output>>,
                                             std::conditional_t<may_fail, outcome<output>, output>>;
    static constexpr bool needs_context = arm_flow::needs_context;
    static constexpr bool unhandled = arm_flow::unhandled_at != 0;
    static constexpr std::size_t depth = 1 + arm_flow::depth;
    static constexpr std::size_t part_count = 1 + arm_flow::part_count;
  };

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    using last = typename detail::last_block<Arm>::type;
    using got = std::conditional_t<std::is_void_v<In>, diagnostic::nothing, In>;
    constexpr std::size_t position = Site::template position<Position>;
    constexpr auto label = Site::template label<Position, Name>();
    // A composite last block (a branch whose arms end in destinations) is a destination only
    // for some inputs: the arm's flow says, after the arm's own checks.
    constexpr bool may_end_in_destination =
        is_destination_v<last> ||
        (!std::is_same_v<last, diagnostic::nothing> &&
         detail::declared_protocol<last>() == detail::protocol::composite);
    // Asked of a lone destination only: a composite last block (a for_each) is not given the
    // also's input, and its signature for that input may not even be well-formed.
    constexpr bool lone_destination_refuses = [] {
      if constexpr (is_destination_v<last> && detail::arm_blocks_t<Arm>::size == 1)
        return !detail::block_signature<last, In>::accepted;
      else
        return false;
    }();
    if constexpr (!may_end_in_destination) {
      return diagnostic::also_needs_a_destination<Site::workflow, position, label, got,
                                                  last>::value;
    } else if constexpr (lone_destination_refuses) {
      using expected =
          std::conditional_t<detail::declared_protocol<last>() == detail::protocol::call,
                             detail::first_parameter_t<last>, diagnostic::generic_parameter>;
      return diagnostic::also_destination_does_not_accept<
          Site::workflow, position, label, detail::fixed_block_name<last>, expected, got>::value;
    } else if constexpr (!check_arm<typename Site::template arm<Position, Name, "copy">, In>(
                             static_cast<const Arm*>(nullptr))) {
      return false;
    } else if constexpr (!signature<In>::arm_flow::ends_in_destination) {
      return diagnostic::also_needs_a_destination<Site::workflow, position, label, got,
                                                  last>::value;
    } else {
      return true;
    }
  }

  template <class In>
  static constexpr void describe(part_info* out, std::size_t& n, std::size_t self) {
    detail::describe_arm<In>(static_cast<const Arm*>(nullptr), out, n, self, "copy");
  }

  // The return type is spelled, not deduced: deducing it would instantiate the body, and with
  // an asynchronous arm that returns an awaitable, which is only declared where workflows are
  // declared (core/awaitable.hpp). Checking the pipeline names the type; the runner, which
  // includes Asio, instantiates the body.
  template <class V>
  auto operator()(V&& v, run_context& ctx) const ->
      typename signature<std::remove_cvref_t<V>>::returned_type {
    using In = std::remove_cvref_t<V>;
    using sig = signature<In>;
    using flow = typename sig::arm_flow;
    if constexpr (sig::async) {
      return send_then_pass(In(std::forward<V>(v)), ctx);
    } else {
      outcome<void> sent = [&] {
        if constexpr (detail::arm_lends<In, Arm>::value)
          return detail::run_arm_sync<void, flow>(arm, std::as_const(v), ctx, {"copy"});
        else
          return detail::run_arm_sync<void, flow>(arm, In(std::as_const(v)), ctx, {"copy"});
      }();
      if constexpr (sig::may_fail) {
        if (sent.is_failed()) return outcome<In>(std::move(sent).error());
        return outcome<In>(In(std::forward<V>(v)));
      } else {
        static_cast<void>(sent);
        return In(std::forward<V>(v));
      }
    }
  }

 private:
  // The arm's coroutine owns its copy; this frame keeps the value to pass on.
  template <class In>
  syncline::awaitable<outcome<In>> send_then_pass(In v, run_context& ctx) const {
    outcome<void> sent = co_await detail::run_arm_async<void, typename signature<In>::arm_flow>(
        arm, In(v), ctx, {"copy"});
    if (sent.is_failed()) co_return std::move(sent).error();
    co_return std::move(v);
  }

  template <class Site, class In, class... B>
  static consteval bool check_arm(const pipeline<no_trigger, B...>*) {
    return detail::check_arm_blocks<Site, In, B...>();
  }
};

// `also(d)`: d is a destination or an arm ending in one (`map(f) | d`).
template <fixed_string Name = "also", class Arm>
constexpr auto also(const Arm& arm) {
  return also_block<Name, detail::as_arm_t<Arm>>{detail::as_arm(arm)};
}

}  // namespace syncline
