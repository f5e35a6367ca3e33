// syncline::tap<"log_order">(f): calls `f(const In&)` (or `f(const In&, run_context&)`) and
// passes the value on unchanged — for logging, metrics, test probes. What `f` returns is
// ignored: a tap cannot stop or fail a run (a guard with `inspect` can).
#pragma once

#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class F>
struct tap_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "tap";
  static constexpr detail::protocol block_protocol = detail::protocol::inspect;

  [[no_unique_address]] F fn;

  template <class In>
  requires std::is_invocable_v<const F&, const In&>
  constexpr void inspect(const In& v) const { static_cast<void>(fn(v)); }
  template <class In>
  requires(!std::is_invocable_v<const F&, const In&> &&
           std::is_invocable_v<const F&, const In&,
                               run_context&>) constexpr void inspect(const In& v,
                                                                     run_context& ctx) const {
    static_cast<void>(fn(v, ctx));
  }
};

// `tap<"audit", needs<audit_log>>(f)` when f takes services from its context (needs.hpp).
template <fixed_string Name = "tap", class Services = needs<>, class F>
requires detail::service_list<Services>
constexpr auto tap(F f) { return detail::declaring<Services>(tap_block<Name, F>{std::move(f)}); }

}  // namespace syncline
