// syncline::recover<"unknown_customer">(handler): decides what the failure of any block before
// it (back to the previous recover block) means. On success it passes the value on untouched
// and costs nothing. On a failure it calls `handler(const syncline::error&)` (optionally with
// the run_context), which returns
//   In                  a replacement value: the run goes on with it;
//   std::optional<In>   nullopt: the run ends as skipped;
//   result<In>          an error: the handler gives up (pass on `e` or a better error);
//   outcome<In>         any of the three.
// Under error_policy::handle, every block that can fail must have a recover block after it.
#pragma once

#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class H>
struct recover_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "recover";
  static constexpr detail::protocol block_protocol = detail::protocol::recover;
  using handler_type = H;

  [[no_unique_address]] H handler;

  decltype(auto) handle(const ::syncline::error& e, run_context& ctx) const {
    if constexpr (std::is_invocable_v<const H&, const ::syncline::error&>)
      return handler(e);
    else
      return handler(e, ctx);
  }
};

// `recover<"park", needs<parking>>(handler)` when the handler takes services from its context
// (needs.hpp).
template <fixed_string Name = "recover", class Services = needs<>, class H>
requires detail::service_list<Services>
constexpr auto recover(H handler) {
  return detail::declaring<Services>(recover_block<Name, H>{std::move(handler)});
}

}  // namespace syncline
