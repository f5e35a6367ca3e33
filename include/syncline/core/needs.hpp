// syncline::needs<T...>: the services a part (trigger, block, destination) takes from its run
// context, named as types so that the compiler can check whoever runs the part provides them.
//
//   struct to_crm : syncline::destination {
//     using services = syncline::needs<crm::client>;   // ctx.service<crm::client>() below
//     syncline::result<void> operator()(const crm_contact& c, syncline::run_context& ctx) const;
//   };
//
// services_needed_t<X> is what a part, a workflow or an integration needs: the union of its
// parts' declarations, the arms of branch, route, for_each and also included. engine::install
// does not compile when one of them is not given (diagnostic::service_not_provided). A part that
// reads a service it does not declare is checked only when it runs (ctx.service<T>() is null).
#pragma once

#include <syncline/core/detail/type_list.hpp>

#include <cstddef>
#include <type_traits>

namespace syncline {

template <class... Services>
struct needs {
  static constexpr std::size_t size = sizeof...(Services);
};

template <class X>
struct services_needed;
template <class X>
using services_needed_t = typename services_needed<X>::type;

namespace detail {

template <class T, class List>
inline constexpr bool needs_contains = false;
template <class T, class... S>
inline constexpr bool needs_contains<T, needs<S...>> = (std::is_same_v<T, S> || ...);

// The union of lists, each service once, in order of first appearance.
template <class Acc, class... Lists>
struct needs_union {
  using type = Acc;
};
template <class Acc, class... Rest>
struct needs_union<Acc, needs<>, Rest...> : needs_union<Acc, Rest...> {};
template <class... A, class T, class... More, class... Rest>
struct needs_union<needs<A...>, needs<T, More...>, Rest...>
    : needs_union<std::conditional_t<needs_contains<T, needs<A...>>, needs<A...>, needs<A..., T>>,
                  needs<More...>, Rest...> {};
template <class... Lists>
using needs_union_t = typename needs_union<needs<>, Lists...>::type;

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

// A part's own declaration: its `services`, when that is a needs<...> (a `services` of another
// kind is not ours to read). Services are told apart by their type without const, as
// ctx.service<T>() tells them.
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

template <class Part>
struct own_needs {
  using type = needs<>;
};
template <declares_needs Part>
struct own_needs<Part> {
  using type = typename as_needs<typename Part::services>::type;
};

// The blocks in the arms of a composite block (branch, route, for_each, also).
template <class Part>
struct nested_needs {
  using type = needs<>;
};
template <class Part>
requires requires { typename Part::nested_blocks; }
struct nested_needs<Part> {
  using type = typename nested_needs<typename Part::nested_blocks>::type;
};
template <class... P>
struct nested_needs<type_list<P...>> {
  using type = needs_union_t<services_needed_t<P>...>;
};

}  // namespace detail

// A part: its own declaration and, for a composite block, those of the blocks in its arms.
// workflow.hpp and integration.hpp add workflows and integrations. Specialize it for a part you
// cannot change.
template <class X>
struct services_needed {
  using type = detail::needs_union_t<typename detail::own_needs<X>::type,
                                     typename detail::nested_needs<X>::type>;
};

}  // namespace syncline
