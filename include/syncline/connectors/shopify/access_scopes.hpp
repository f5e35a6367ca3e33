// shopify::access_scopes_of<Integration>(): the Shopify access scopes an integration needs,
// computed by the compiler from what its parts declare, so that the install URL asks for exactly
// those and the callback can check that the merchant granted them:
//
//   constexpr auto scopes = shopify::access_scopes_of<decltype(shopify_sync)>();
//   static_assert(std::ranges::equal(scopes, std::array{"read_orders"sv, "write_orders"sv}));
//   shopify::install_url(shop, app.client_id, scopes, redirect_uri, state);
//   if (auto lack = shopify::missing_scopes(token->scope, scopes); !lack.empty()) ...
//
// Each Shopify action says `static constexpr std::string_view access_scope = "write_orders";`,
// each shopify::webhook<Topic> the scope of its topic (topics.hpp); blocks nested in also,
// branch, route and for_each count (core/detail/part_tree.hpp walks them). Scopes a part cannot
// declare (a call your own code makes with the token) are given after the integration:
// access_scopes_of<decltype(shopify_sync), "read_customers">(). A scope that is not read_x,
// write_x or unauthenticated_x is a compile error (shopify::diagnostic::invalid_access_scope).
//
// The list is sorted and unique, and drops read_x when write_x is there: Shopify's write scope
// implies the read one, and answers a grant of both with write_x alone.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/part_tree.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace syncline::shopify {

// read_x, write_x or unauthenticated_x, x a lower-case letter then [a-z_]: Shopify's forms.
constexpr bool is_access_scope(std::string_view scope) noexcept {
  for (std::string_view kind : {"read_", "write_", "unauthenticated_"}) {
    if (!scope.starts_with(kind)) continue;
    const std::string_view rest = scope.substr(kind.size());
    if (rest.empty() || rest.front() < 'a' || rest.front() > 'z') return false;
    return std::all_of(rest.begin(), rest.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  }
  return false;
}

// Whether holding `held` gives `wanted`: the same scope, or its write form (write_x gives
// read_x, unauthenticated_write_x gives unauthenticated_read_x).
constexpr bool scope_covers(std::string_view held, std::string_view wanted) noexcept {
  if (held == wanted) return true;
  for (std::string_view prefix : {std::string_view{}, std::string_view{"unauthenticated_"}}) {
    const auto strip = [&](std::string_view s, std::string_view verb) -> std::string_view {
      if (!s.starts_with(prefix) || !s.substr(prefix.size()).starts_with(verb)) return {};
      return s.substr(prefix.size() + verb.size());
    };
    const std::string_view w = strip(held, "write_");
    if (!w.empty() && w == strip(wanted, "read_")) return true;
  }
  return false;
}

namespace diagnostic {
// Part: the block or trigger whose access_scope it is, or "extra scopes" for one given to
// access_scopes_of itself. Shown as "In instantiation of 'struct ...invalid_access_scope<...>'"
// on the line before the message.
template <fixed_string Part, fixed_string Scope>
struct invalid_access_scope {
  static_assert(syncline::diagnostic::detail::always_false_v<Part, Scope>,
                "syncline: a Shopify access scope must be read_<resource>, write_<resource> or "
                "unauthenticated_<...>, the rest in [a-z_], e.g. \"write_orders\"");
  static constexpr bool value = false;
};
}  // namespace diagnostic

namespace detail {

// The scope a part declares, if it is a Shopify part that declares one.
template <class P>
constexpr std::string_view declared_access_scope() noexcept {
  if constexpr (requires {
                  typename P::app_type;
                  P::access_scope;
                }) {
    if constexpr (std::is_same_v<typename P::app_type, app>) return P::access_scope;
  }
  return {};
}

template <class Parts>
struct part_scopes;
template <class... P>
struct part_scopes<syncline::detail::type_list<P...>> {
  static constexpr std::array<std::string_view, sizeof...(P)> value{declared_access_scope<P>()...};
};

// Reports the first part whose scope is malformed (one mistake, one error), and says whether
// there was none.
template <class... P>
consteval bool check_part_scopes(syncline::detail::type_list<P...>) {
  if constexpr (sizeof...(P) == 0) {
    return true;
  } else {
    return []<class First, class... Rest>(syncline::detail::type_list<First, Rest...>) {
      constexpr std::string_view s = declared_access_scope<First>();
      if constexpr (!s.empty() && !is_access_scope(s))
        return diagnostic::invalid_access_scope<syncline::detail::fixed_block_name<First>,
                                                fixed_string<s.size()>(s)>::value;
      else
        return check_part_scopes(syncline::detail::type_list<Rest...>{});
    }(syncline::detail::type_list<P...>{});
  }
}

template <fixed_string... Extra>
consteval bool check_extra_scopes() {
  if constexpr (sizeof...(Extra) == 0) {
    return true;
  } else {
    return []<fixed_string First, fixed_string... Rest>() {
      if constexpr (!is_access_scope(First.view()))
        return diagnostic::invalid_access_scope<"extra scopes", First>::value;
      else
        return check_extra_scopes<Rest...>();
    }
    .template operator()<Extra...>();
  }
}

// Sorts `scopes`, drops empty, repeated and implied ones (read_x beside write_x); returns how
// many are left at the front.
template <std::size_t N>
constexpr std::size_t normalize_scopes(std::array<std::string_view, N>& scopes) {
  std::sort(scopes.begin(), scopes.end());
  std::size_t kept = 0;
  for (std::size_t i = 0; i != N; ++i) {
    const std::string_view s = scopes[i];
    if (s.empty() || (kept != 0 && scopes[kept - 1] == s)) continue;
    const bool implied = std::any_of(scopes.begin(), scopes.end(), [&](std::string_view other) {
      return other != s && scope_covers(other, s);
    });
    if (!implied) scopes[kept++] = s;
  }
  return kept;
}

template <class Parts, fixed_string... Extra>
constexpr auto all_scopes() {
  constexpr auto& declared = part_scopes<Parts>::value;
  std::array<std::string_view, declared.size() + sizeof...(Extra)> all{};
  std::copy(declared.begin(), declared.end(), all.begin());
  std::size_t i = declared.size();
  ((all[i++] = Extra.view()), ...);
  return all;
}

}  // namespace detail

// `Integration` (or one workflow): the type of what syncline::integration<...>(...) returned.
// `Extra`: scopes the integration needs that none of its parts declares.
template <class Integration, fixed_string... Extra>
constexpr auto access_scopes_of() {
  using parts = syncline::detail::part_tree_t<std::remove_cvref_t<Integration>>;
  // Each check reports its error; the empty list stands in after it, adding none.
  if constexpr (!detail::check_part_scopes(parts{})) {
    return std::array<std::string_view, 0>{};
  } else if constexpr (!detail::check_extra_scopes<Extra...>()) {
    return std::array<std::string_view, 0>{};
  } else {
    constexpr std::size_t n = [] {
      auto all = detail::all_scopes<parts, Extra...>();
      return detail::normalize_scopes(all);
    }();
    auto all = detail::all_scopes<parts, Extra...>();
    detail::normalize_scopes(all);
    std::array<std::string_view, n> out{};
    std::copy_n(all.begin(), n, out.begin());
    return out;
  }
}

// "read_orders,write_orders": the form of the install URL's `scope` and of Shopify's answers.
SYNCLINE_DECL std::string join_scopes(std::span<const std::string_view> scopes);

// The scopes of `needed` that `granted` (Shopify's comma-separated `scope`, as a token answer
// or the granted-scopes query gives it) does not cover, write_x covering read_x; empty when
// nothing is missing.
SYNCLINE_DECL std::vector<std::string> missing_scopes(std::string_view granted,
                                                      std::span<const std::string_view> needed);

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/access_scopes.ipp>
#endif
