// syncline::branch<"big_order">(pred, then_arm, else_arm): sends each value down one of two
// arms. Arms are blocks or trigger-less pipelines (`map(f) | tap(g)`, `syncline::pass` for
// "unchanged"). The branch produces what its arms produce: the same type, their common type if
// it is one of them, or a std::variant of both; if both arms end in a destination, the branch
// is the workflow's destination. An arm ending in a destination beside one producing a value is
// rejected (rule 6).
#pragma once

#include <syncline/blocks/filter.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/composite.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/parts.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class Pred, class Then, class Else>
struct branch_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "branch";
  static constexpr detail::protocol block_protocol = detail::protocol::composite;
  static constexpr bool has_own_checks = true;
  static constexpr fixed_string arm_names = "then,else";
  using nested_blocks = detail::concat_t<detail::arm_blocks_t<Then>, detail::arm_blocks_t<Else>>;

  [[no_unique_address]] Pred pred;
  [[no_unique_address]] Then then_arm;
  [[no_unique_address]] Else else_arm;

  template <class In>
  struct signature : detail::signature_defaults {
    using test = detail::predicate_call<Pred, In>;
    using then_flow = detail::arm_flow_t<Then, In>;
    using else_flow = detail::arm_flow_t<Else, In>;
    using joined = detail::join<typename then_flow::output, typename else_flow::output>;
    static constexpr bool accepted =
        test::callable && test::returns_bool && then_flow::ok && else_flow::ok && joined::ok;
    using output = std::conditional_t<accepted, typename joined::type, detail::poison>;
    static constexpr bool async = then_flow::async || else_flow::async;
    using returned_type = detail::composite_returned<output, async>;
    static constexpr bool may_fail = then_flow::may_fail || else_flow::may_fail;
    static constexpr bool may_skip = then_flow::may_skip || else_flow::may_skip;
    static constexpr bool needs_context =
        test::with_context || then_flow::needs_context || else_flow::needs_context;
    static constexpr bool is_destination = accepted && std::is_void_v<output>;
    static constexpr bool unhandled = then_flow::unhandled_at != 0 || else_flow::unhandled_at != 0;
    static constexpr std::size_t depth =
        1 + (then_flow::depth > else_flow::depth ? then_flow::depth : else_flow::depth);
    static constexpr std::size_t part_count = 1 + then_flow::part_count + else_flow::part_count;
  };

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    using sig = signature<In>;
    if constexpr (!detail::check_predicate<Site, Position, Name, Pred, In>()) {
      return false;
    } else if constexpr (!check_arm<typename Site::template arm<Position, Name, "then">, In>(
                             static_cast<const Then*>(nullptr))) {
      return false;
    } else if constexpr (!check_arm<typename Site::template arm<Position, Name, "else">, In>(
                             static_cast<const Else*>(nullptr))) {
      return false;
    } else if constexpr (!sig::joined::ok) {
      using a = typename sig::then_flow::output;
      using b = typename sig::else_flow::output;
      return diagnostic::arms_have_no_common_result<
          Site::workflow, Site::template position<Position>, Site::template label<Position, Name>(),
          std::conditional_t<std::is_void_v<a>, diagnostic::nothing, a>,
          std::conditional_t<std::is_void_v<b>, diagnostic::nothing, b>>::value;
    } else {
      return true;
    }
  }

  template <class In>
  static constexpr void describe(part_info* out, std::size_t& n, std::size_t self) {
    detail::describe_arm<In>(static_cast<const Then*>(nullptr), out, n, self, "then");
    detail::describe_arm<In>(static_cast<const Else*>(nullptr), out, n, self, "else");
  }

  template <class V>
  auto operator()(V&& v, run_context& ctx) const {
    using sig = signature<std::remove_cvref_t<V>>;
    using J = typename sig::output;
    if constexpr (!sig::async) {
      if (detail::test_predicate(pred, std::as_const(v), ctx))
        return detail::run_arm_sync<J, typename sig::then_flow>(then_arm, std::forward<V>(v), ctx,
                                                                {"then"});
      return detail::run_arm_sync<J, typename sig::else_flow>(else_arm, std::forward<V>(v), ctx,
                                                              {"else"});
    } else {
      // Both arms as awaitables of the same type; only the chosen one is started.
      if (detail::test_predicate(pred, std::as_const(v), ctx))
        return detail::run_arm_as_awaitable<J, typename sig::then_flow>(
            then_arm, std::remove_cvref_t<V>(std::forward<V>(v)), ctx, {"then"});
      return detail::run_arm_as_awaitable<J, typename sig::else_flow>(
          else_arm, std::remove_cvref_t<V>(std::forward<V>(v)), ctx, {"else"});
    }
  }

 private:
  template <class Site, class In, class... B>
  static consteval bool check_arm(const pipeline<no_trigger, B...>*) {
    return detail::check_arm_blocks<Site, In, B...>();
  }
};

// `branch<"vip", needs<crm::client>>(pred, ...)` when pred takes services from its context
// (needs.hpp; the arms' blocks declare their own).
template <fixed_string Name = "branch", class Services = needs<>, class Pred, class Then,
          class Else>
requires detail::service_list<Services>
constexpr auto branch(Pred pred, const Then& then_arm, const Else& else_arm) {
  return detail::declaring<Services>(
      branch_block<Name, Pred, detail::as_arm_t<Then>, detail::as_arm_t<Else>>{
          std::move(pred), detail::as_arm(then_arm), detail::as_arm(else_arm)});
}

}  // namespace syncline
