// syncline::to<"print_contact">(f): a destination made from a function, for destinations that
// need no type of their own (tests, examples, your own database call). `f` takes the value (and
// optionally the run_context) and returns void, result<void> or awaitable<result<void>>.
// Destinations that talk to an app are usually types: `struct upsert_contact :
// syncline::destination { using app_type = crm; ... };`.
#pragma once

#include <syncline/core/block.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class F>
struct to_block {
  static constexpr bool syncline_pipeable = true;
  static constexpr bool syncline_destination = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;

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
};

// `to<"save", needs<ledger>>(f)` when f takes services from its context (needs.hpp).
template <fixed_string Name = "destination", class Services = needs<>, class F>
requires detail::service_list<Services>
constexpr auto to(F f) { return detail::declaring<Services>(to_block<Name, F>{std::move(f)}); }

}  // namespace syncline
