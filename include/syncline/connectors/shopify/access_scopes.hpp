// shopify::access_scopes_of<Integration>(): the Shopify access scopes an integration needs,
// computed by the compiler from what its parts declare, so that the install URL asks for exactly
// those and the callback can check that the merchant granted them:
//
//   constexpr auto scopes = shopify::access_scopes_of<decltype(shopify_sync)>();  // std::array
//   shopify::install_url(shop, app.client_id, scopes, redirect_uri, state);
//   if (auto lack = shopify::missing_scopes(token->scope, scopes); !lack.empty()) ...
//
// Each Shopify action says `static constexpr std::string_view access_scope = "write_orders";`,
// each shopify::webhook<Topic> the scope of its topic (topics.hpp); blocks nested in also,
// branch, route and for_each count (core/detail/part_tree.hpp walks them). Scopes no part can
// declare (calls your own code makes with the shop's token) are the integration's own, declared
// beside it by its name, so that whoever asks for its scopes (the engine too) gets them:
//
//   template <> struct syncline::shopify::extra_access_scopes<"shopify_sync"> {
//     static constexpr std::array value{std::string_view{"read_customers"}};
//   };
//
// A scope that is not read_x, write_x or unauthenticated_x is a compile error
// (shopify::diagnostic::invalid_access_scope).
//
// The list is sorted and unique, and drops read_x when write_x is there: Shopify's write scope
// implies the read one.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/part_tree.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/integration.hpp>

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

// The scopes integration `Integration` needs besides those its parts declare: none unless
// specialised (see above).
template <fixed_string Integration>
struct extra_access_scopes {
  static constexpr std::array<std::string_view, 0> value{};
};

namespace diagnostic {
// Part: the block or trigger whose access_scope it is, or "extra_access_scopes<integration>". Shown
// as "In instantiation of 'struct ...invalid_access_scope<...>'" on the line before the message.
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

// The integration's extra_access_scopes (none for a workflow asked alone).
template <class X>
struct extra_scopes_of {
  static constexpr std::array<std::string_view, 0> value{};
  static constexpr auto part = fixed_string("");
};
template <fixed_string Name, class App, class... W>
struct extra_scopes_of<integration_definition<Name, App, W...>> {
  static constexpr const auto& value = extra_access_scopes<Name>::value;
  static constexpr auto part = fixed_string("extra_access_scopes<") + Name + fixed_string(">");
};

template <class X, std::size_t I = 0>
consteval bool check_extra_scopes() {
  constexpr const auto& extra = extra_scopes_of<X>::value;
  if constexpr (I == extra.size()) {
    return true;
  } else if constexpr (constexpr std::string_view s = extra[I]; !is_access_scope(s)) {
    return diagnostic::invalid_access_scope<extra_scopes_of<X>::part,
                                            fixed_string<s.size()>(s)>::value;
  } else {
    return check_extra_scopes<X, I + 1>();
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

template <class X>
constexpr auto all_scopes() {
  constexpr const auto& declared = part_scopes<syncline::detail::part_tree_t<X>>::value;
  constexpr const auto& extra = extra_scopes_of<X>::value;
  std::array<std::string_view, declared.size() + extra.size()> all{};
  std::copy(extra.begin(), extra.end(), std::copy(declared.begin(), declared.end(), all.begin()));
  return all;
}

}  // namespace detail

// `Integration` (or one workflow): the type of what syncline::integration<...>(...) returned.
template <class Integration>
constexpr auto access_scopes_of() {
  using X = std::remove_cvref_t<Integration>;
  // Each check reports its error; the empty list stands in after it, adding none.
  if constexpr (!detail::check_part_scopes(syncline::detail::part_tree_t<X>{})) {
    return std::array<std::string_view, 0>{};
  } else if constexpr (!detail::check_extra_scopes<X>()) {
    return std::array<std::string_view, 0>{};
  } else {
    constexpr std::size_t n = [] {
      auto all = detail::all_scopes<X>();
      return detail::normalize_scopes(all);
    }();
    auto all = detail::all_scopes<X>();
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
