// syncline::route<"by_market">(when<"domestic">(pred, arm), when<"eu">(pred, arm),
// otherwise(arm)): sends each value down the arm of the first case whose predicate holds. With
// no `otherwise` and no match, the run ends as skipped by the route. The route produces what its
// arms produce, joined as for branch (same type, common type, or std::variant).
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
#include <syncline/core/outcome.hpp>
#include <syncline/core/parts.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

namespace detail {
// The predicate of `otherwise`.
struct always {
  template <class T>
  constexpr bool operator()(const T&) const noexcept {
    return true;
  }
};
}  // namespace detail

template <fixed_string Name, class Pred, class Arm>
struct route_case {
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "case", Name>()));
  static constexpr auto case_name = Name;
  using pred_type = Pred;
  using arm_type = Arm;
  [[no_unique_address]] Pred pred;
  [[no_unique_address]] Arm arm;
};

template <fixed_string Name, class Pred, class Arm>
constexpr auto when(Pred pred, const Arm& arm) {
  return route_case<Name, Pred, detail::as_arm_t<Arm>>{std::move(pred), detail::as_arm(arm)};
}

template <class Arm>
constexpr auto otherwise(const Arm& arm) {
  return route_case<"otherwise", detail::always, detail::as_arm_t<Arm>>{{}, detail::as_arm(arm)};
}

template <fixed_string Name, class... Cases>
struct route_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));
  static_assert(sizeof...(Cases) > 0);  // route() without cases reports route_needs_a_case

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "route";
  static constexpr detail::protocol block_protocol = detail::protocol::composite;
  static constexpr bool has_own_checks = true;
  static constexpr bool has_otherwise = std::is_same_v<
      typename detail::type_at_t<sizeof...(Cases) - 1, detail::type_list<Cases...>>::pred_type,
      detail::always>;
  using nested_blocks = detail::concat_t<detail::arm_blocks_t<typename Cases::arm_type>...>;
  // "domestic,eu,otherwise"
  static constexpr auto arm_names = [] {
    constexpr auto joined = ((fixed_string(",") + Cases::case_name) + ...);
    return fixed_string<joined.size() - 1>(joined.view().substr(1));
  }();

  [[no_unique_address]] boost::hana::basic_tuple<Cases...> cases;

  // The first case whose name an earlier case has (sizeof...(Cases) when none): a case's name is
  // the arm's step in the idempotency keys of its blocks, so case names are unique.
  static constexpr std::size_t shared_case = [] {
    constexpr std::array<std::string_view, sizeof...(Cases)> names{Cases::case_name.view()...};
    for (std::size_t j = 1; j < names.size(); ++j)
      for (std::size_t i = 0; i < j; ++i)
        if (names[i] == names[j]) return j;
    return names.size();
  }();

  template <class In>
  struct signature : detail::signature_defaults {
    template <class C>
    using flow_of = detail::arm_flow_t<typename C::arm_type, In>;
    using joined = detail::join<typename flow_of<Cases>::output...>;
    static constexpr bool tests_fit =
        ((detail::predicate_call<typename Cases::pred_type, In>::callable &&
          detail::predicate_call<typename Cases::pred_type, In>::returns_bool) &&
         ...);
    static constexpr bool accepted = tests_fit && (flow_of<Cases>::ok && ...) && joined::ok;
    using output = std::conditional_t<accepted, typename joined::type, detail::poison>;
    static constexpr bool async = (flow_of<Cases>::async || ...);
    using returned_type = detail::composite_returned<output, async>;
    static constexpr bool may_fail = (flow_of<Cases>::may_fail || ...);
    static constexpr bool may_skip = !has_otherwise || (flow_of<Cases>::may_skip || ...);
    static constexpr bool needs_context =
        (detail::predicate_call<typename Cases::pred_type, In>::with_context || ...) ||
        (flow_of<Cases>::needs_context || ...);
    static constexpr bool is_destination = accepted && std::is_void_v<output>;
    static constexpr bool unhandled = ((flow_of<Cases>::unhandled_at != 0) || ...);
    static constexpr std::size_t depth = 1 + std::max({std::size_t{0}, flow_of<Cases>::depth...});
    static constexpr std::size_t part_count = 1 + (flow_of<Cases>::part_count + ...);
  };

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    if constexpr (shared_case != sizeof...(Cases))
      return diagnostic::duplicate_route_case<
          Site::workflow, Site::template position<Position>, Site::template label<Position, Name>(),
          detail::type_at_t<shared_case, detail::type_list<Cases...>>::case_name>::value;
    else
      return check_cases<Site, Position, In, 0, Cases...>();
  }

  template <class In>
  static constexpr void describe(part_info* out, std::size_t& n, std::size_t self) {
    (detail::describe_arm<In>(static_cast<const typename Cases::arm_type*>(nullptr), out, n, self,
                              Cases::case_name.view()),
     ...);
  }

  template <class V>
  auto operator()(V&& v, run_context& ctx) const {
    using In = std::remove_cvref_t<V>;
    using sig = signature<In>;
    const std::size_t chosen = first_match<0>(std::as_const(v), ctx);
    if constexpr (!sig::async)
      return run_case_sync<0>(chosen, std::forward<V>(v), ctx);
    else
      return run_case_async<0>(chosen, In(std::forward<V>(v)), ctx);
  }

 private:
  template <std::size_t K, class In>
  std::size_t first_match(const In& v, run_context& ctx) const {
    if constexpr (K == sizeof...(Cases)) {
      return K;
    } else {
      if (detail::test_predicate(boost::hana::at_c<K>(cases).pred, v, ctx)) return K;
      return first_match<K + 1>(v, ctx);
    }
  }

  template <std::size_t K, class V>
  auto run_case_sync(std::size_t chosen, V&& v, run_context& ctx) const
      -> outcome<typename signature<std::remove_cvref_t<V>>::output> {
    using sig = signature<std::remove_cvref_t<V>>;
    if constexpr (K == sizeof...(Cases)) {
      return skip("no case matched");
    } else {
      using C = detail::type_at_t<K, detail::type_list<Cases...>>;
      if (chosen == K)
        return detail::run_arm_sync<typename sig::output, typename sig::template flow_of<C>>(
            boost::hana::at_c<K>(cases).arm, std::forward<V>(v), ctx, {C::case_name.view()});
      return run_case_sync<K + 1>(chosen, std::forward<V>(v), ctx);
    }
  }

  // Not a coroutine itself: it hands back the chosen arm's awaitable, so one frame is made.
  template <std::size_t K, class In>
  syncline::awaitable<outcome<typename signature<In>::output>> run_case_async(
      std::size_t chosen, In v, run_context& ctx) const {
    using sig = signature<In>;
    if constexpr (K == sizeof...(Cases)) {
      return skipped_awaitable<typename sig::output>();
    } else {
      using C = detail::type_at_t<K, detail::type_list<Cases...>>;
      if (chosen == K)
        return detail::run_arm_as_awaitable<typename sig::output,
                                            typename sig::template flow_of<C>>(
            boost::hana::at_c<K>(cases).arm, std::move(v), ctx, {C::case_name.view()});
      return run_case_async<K + 1>(chosen, std::move(v), ctx);
    }
  }

  template <class Out>
  static syncline::awaitable<outcome<Out>> skipped_awaitable() {
    co_return skip("no case matched");
  }

  template <class Site, std::size_t Position, class In, std::size_t K, class C, class... Rest>
  static consteval bool check_cases() {
    using sig = signature<In>;
    if constexpr (!detail::check_predicate<Site, Position, Name, typename C::pred_type, In>()) {
      return false;
    } else if constexpr (!check_arm<typename Site::template arm<Position, Name, C::case_name>, In>(
                             static_cast<const typename C::arm_type*>(nullptr))) {
      return false;
    } else if constexpr (sizeof...(Rest) != 0) {
      return check_cases<Site, Position, In, K + 1, Rest...>();
    } else if constexpr (!sig::joined::ok) {
      // One arm ends in a destination, another produces a value: show one of each.
      using first_value = first_where<false, typename sig::template flow_of<Cases>::output...>;
      return diagnostic::arms_have_no_common_result<
          Site::workflow, Site::template position<Position>, Site::template label<Position, Name>(),
          diagnostic::nothing, first_value>::value;
    } else {
      return true;
    }
  }

  template <bool Void, class... T>
  using first_where = detail::type_at_t<
      0, detail::concat_t<std::conditional_t<std::is_void_v<T> == Void, detail::type_list<T>,
                                             detail::type_list<>>...>>;

  template <class Site, class In, class... B>
  static consteval bool check_arm(const pipeline<no_trigger, B...>*) {
    return detail::check_arm_blocks<Site, In, B...>();
  }
};

template <fixed_string Name = "route", class... Cases>
requires(sizeof...(Cases) > 0) constexpr route_block<Name, Cases...> route(const Cases&... cases) {
  return {boost::hana::make_basic_tuple(cases...)};
}

// A route without cases: the one error is the diagnostic; `pass` (no blocks) stands in for the
// route so that the rest of the workflow adds no error of its own.
template <fixed_string Name = "route">
constexpr const auto& route() {
  static_assert(detail::checked(diagnostic::route_needs_a_case<Name>::value));
  return pass;
}

}  // namespace syncline
