// syncline::map<"to_contact">(f): turns each value into another. `f` takes the input (and
// optionally the run_context) and returns the new value, a result<...> if it can fail, or an
// awaitable if it waits for I/O. Empty when `f` is (a lambda without captures).
#pragma once

#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class F>
struct map_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "map";
  static constexpr bool has_own_checks = true;

  [[no_unique_address]] F fn;

  template <class In>
  requires std::is_invocable_v<const F&, In&&>
  constexpr decltype(auto) operator()(In&& v) const { return fn(std::forward<In>(v)); }
  template <class In>
  requires(!std::is_invocable_v<const F&, In&&> &&
           std::is_invocable_v<const F&, In&&, run_context&>) constexpr decltype(auto)
  operator()(In&& v, run_context& ctx) const {
    return fn(std::forward<In>(v), ctx);
  }

  // Rule 7: the function must be callable with what the previous part produces.
  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    if constexpr (detail::invocation<F, In>::callable) {
      return true;
    } else if constexpr (detail::takes_lvalue_only<F, In>) {
      return diagnostic::takes_non_const_reference<
          Site::workflow, Site::template position<Position>, Site::template label<Position, Name>(),
          std::add_lvalue_reference_t<detail::first_parameter_t<F>>>::value;
    } else {
      using got = std::conditional_t<std::is_void_v<In>, diagnostic::nothing, In>;
      return diagnostic::map_function_not_callable<
          Site::workflow, Site::template position<Position>, Site::template label<Position, Name>(),
          detail::first_parameter_t<F>, got>::value;
    }
  }
};

// `map<"enrich", needs<crm::client>>(f)` when f takes services from its context (needs.hpp).
template <fixed_string Name = "map", class Services = needs<>, class F>
requires detail::service_list<Services>
constexpr auto map(F f) { return detail::declaring<Services>(map_block<Name, F>{std::move(f)}); }

}  // namespace syncline
