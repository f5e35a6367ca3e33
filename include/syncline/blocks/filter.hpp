// syncline::filter<"has_email">(pred): lets a value through when `pred(value)` is true; when it
// is false the run ends as skipped (not failed), at this block. `pred` takes `const In&` (and
// optionally the run_context) and must return bool. For guards that can fail or must wait
// (a lookup in a store), write a block with `inspect` (see docs/concepts.md).
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

namespace detail {
// A predicate of filter, branch or route called on a value: (const In&) or (const In&, ctx).
template <class P, class In>
struct predicate_call {
  static constexpr bool plain = false, with_context = false, callable = false;
  using type = poison;
};
template <class P, class In>
requires(!std::is_void_v<In> && !std::is_same_v<In, poison>) struct predicate_call<P, In> {
  static constexpr bool plain = std::is_invocable_v<const P&, const In&>;
  static constexpr bool with_context =
      !plain && std::is_invocable_v<const P&, const In&, run_context&>;
  static constexpr bool callable = plain || with_context;
  using type = typename std::conditional_t<
      plain, std::invoke_result<const P&, const In&>,
      std::conditional_t<with_context, std::invoke_result<const P&, const In&, run_context&>,
                         std::type_identity<poison>>>::type;
  static constexpr bool returns_bool = std::is_same_v<type, bool>;
};

template <class P, class In>
bool test_predicate(const P& p, const In& v, run_context& ctx) {
  if constexpr (predicate_call<P, In>::plain)
    return p(v);
  else
    return p(v, ctx);
}

// Rule 7 for any predicate: callable with the input, and returning bool.
template <class Site, std::size_t Position, fixed_string Name, class P, class In>
consteval bool check_predicate() {
  using call = predicate_call<P, In>;
  constexpr auto label = Site::template label<Position, Name>();
  constexpr std::size_t pos = Site::template position<Position>;
  using got = std::conditional_t<std::is_void_v<In>, diagnostic::nothing, In>;
  if constexpr (std::is_same_v<In, poison>)
    return false;
  else if constexpr (!call::callable)
    return diagnostic::block_does_not_accept<Site::workflow, pos, label, first_parameter_t<P>,
                                             got>::value;
  else if constexpr (!call::returns_bool)
    return diagnostic::predicate_must_return_bool<Site::workflow, pos, label, In,
                                                  typename call::type>::value;
  else
    return true;
}
}  // namespace detail

template <fixed_string Name, class P>
struct filter_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "filter";
  static constexpr detail::protocol block_protocol = detail::protocol::inspect;
  static constexpr bool has_own_checks = true;

  [[no_unique_address]] P pred;

  template <class In>
  requires detail::predicate_call<P, In>::plain &&
      detail::predicate_call<P, In>::returns_bool constexpr bool
      inspect(const In& v) const {
    return pred(v);
  }
  template <class In>
  requires detail::predicate_call<P, In>::with_context &&
      detail::predicate_call<P, In>::returns_bool constexpr bool
      inspect(const In& v, run_context& ctx) const {
    return pred(v, ctx);
  }

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    return detail::check_predicate<Site, Position, Name, P, In>();
  }
};

// `filter<"known", needs<crm::client>>(pred)` when pred takes services from its context
// (needs.hpp).
template <fixed_string Name = "filter", class Services = needs<>, class P>
requires detail::service_list<Services>
constexpr auto filter(P pred) {
  return detail::declaring<Services>(filter_block<Name, P>{std::move(pred)});
}

}  // namespace syncline
