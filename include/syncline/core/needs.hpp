// syncline::needs<T...>: the services a part (trigger, block, destination) takes from its run
// context, named as types so that the compiler can check whoever runs the part provides them.
//
//   struct to_crm : syncline::destination {
//     using services = syncline::needs<crm::client>;   // ctx.service<crm::client>() below
//     syncline::result<void> operator()(const crm_contact& c, syncline::run_context& ctx) const;
//   };
//
// A block made from a function (map, tap, filter, to, recover, branch) says so in its factory:
//
//   syncline::map<"enrich", syncline::needs<crm::client>>(
//       [](contact c, syncline::run_context& ctx) { return ctx.service<crm::client>()->... });
//
// services_needed_t<X> is what a part, a workflow or an integration needs: the union of what
// the parts of its tree declare (detail/part_tree.hpp: the arms of branch, route, for_each and
// also included). engine::install does not compile when one of them is not given
// (diagnostic::service_not_provided). A part that reads a service it does not declare is checked
// only when it runs (ctx.service<T>() is null).
#pragma once

#include <syncline/core/detail/part_tree.hpp>
#include <syncline/core/detail/type_list.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace syncline {

template <class... Services>
struct needs {
  static constexpr std::size_t size = sizeof...(Services);
};

namespace detail {

template <class T>
inline constexpr bool is_needs_v = false;
template <class... S>
inline constexpr bool is_needs_v<needs<S...>> = true;
// What a block factory takes after the name: `map<"enrich", needs<crm::client>>(f)`.
template <class T>
concept service_list = is_needs_v<T>;

template <class T, class List>
inline constexpr bool needs_contains = false;
template <class T, class... S>
inline constexpr bool needs_contains<T, needs<S...>> = (std::is_same_v<T, S> || ...);

// Folds rather than recursions (one instantiation per list, not per service): these run for
// every install and every workflow of a translation unit.

// The union of lists, each service once, in order of first appearance.
template <class... S>
struct service_set {
  using type = needs<S...>;
};
template <class... S, class T>
auto operator+(service_set<S...>, std::type_identity<T>)
    -> std::conditional_t<(std::is_same_v<T, S> || ...), service_set<S...>, service_set<S..., T>>;
template <class... S, class... T>
auto operator+(service_set<S...>, needs<T...>)
    -> decltype((service_set<S...>{} + ... + std::type_identity<T>{}));
template <class... Lists>
using needs_union_t = typename decltype((service_set<>{} + ... + Lists{}))::type;

// The first service of a list that an earlier one repeats; void when each is there once.
template <class Repeated, class... Seen>
struct repeat_finder {
  using type = Repeated;
  template <class T>
  auto operator+(std::type_identity<T>) const -> std::conditional_t<
      !std::is_void_v<Repeated>, repeat_finder,
      std::conditional_t<(std::is_same_v<T, Seen> || ...), repeat_finder<T, Seen...>,
                         repeat_finder<void, Seen..., T>>>;
};
template <class List>
struct first_repeated;
template <class... S>
struct first_repeated<needs<S...>> {
  using type = typename decltype((repeat_finder<void>{} + ... + std::type_identity<S>{}))::type;
};
template <class List>
using first_repeated_t = typename first_repeated<List>::type;

// The first service of `Needed` that `Available` lacks; void when none is missing.
template <class Needed, class Available>
struct first_missing {
  using type = void;
};
template <class T, class... Rest, class Available>
struct first_missing<needs<T, Rest...>, Available> {
  using type = std::conditional_t<needs_contains<T, Available>,
                                  typename first_missing<needs<Rest...>, Available>::type, T>;
};
template <class Needed, class Available>
using first_missing_t = typename first_missing<Needed, Available>::type;

// A part's `services`, when that is a needs<...> (a `services` of another kind is not ours to
// read). Services are told apart by their type without const, as ctx.service<T>() tells them.
template <class List>
struct as_needs {};
template <class... S>
struct as_needs<needs<S...>> {
  using type = needs_union_t<needs<std::remove_cv_t<S>>...>;
};
template <class Part>
concept declares_needs = requires {
  typename as_needs<typename Part::services>::type;
};

}  // namespace detail

// What one part declares itself, without the parts in its arms. Specialize it for a part you
// cannot change.
template <class Part>
struct declared_services {
  using type = needs<>;
};
template <detail::declares_needs Part>
struct declared_services<Part> {
  using type = typename detail::as_needs<typename Part::services>::type;
};

namespace detail {
template <class Parts>
struct declared_by_all;
template <class... P>
struct declared_by_all<type_list<P...>> {
  using type = needs_union_t<typename declared_services<P>::type...>;
};
}  // namespace detail

// What the parts of X's tree declare (a part and the blocks in its arms; a workflow's parts; an
// integration's workflows).
template <class X>
struct services_needed {
  using type = typename detail::declared_by_all<detail::part_tree_t<X>>::type;
};
template <class X>
using services_needed_t = typename services_needed<X>::type;

// A block made from a function, with the services the function takes from its run context:
// what `map<"enrich", needs<crm::client>>(f)` gives. It is that block, and declares them.
template <class Block, class Services>
struct block_needing : Block {
  using services = Services;
};

namespace detail {
// What a block factory (map, tap, filter, to, recover, branch) returns: the block itself when
// its function needs no service, so that declaring none costs nothing and changes no type.
template <class Services, class Block>
constexpr auto declaring(Block block) {
  if constexpr (Services::size == 0)
    return block;
  else
    return block_needing<Block, Services>{std::move(block)};
}
}  // namespace detail

}  // namespace syncline
