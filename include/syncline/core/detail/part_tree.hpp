// The one walk over what a part contains: part_tree_t<X> lists every part of X, depth first.
// For a trigger or a plain block, the part itself; for a composite block (branch, route,
// for_each, also: it says `using nested_blocks = type_list<...>;`), itself and then the trees
// of the blocks in its arms. workflow.hpp adds workflows (their trigger's and blocks' trees) and
// integration.hpp integrations (their workflows'). Every question about what a part contains
// maps over this list — the apps it talks to (integration.hpp), the services it needs
// (needs.hpp) — so a new kind of composite is walked right everywhere by saying nested_blocks.
#pragma once

#include <syncline/core/detail/type_list.hpp>

namespace syncline::detail {

template <class X>
struct part_tree {
  using type = type_list<X>;
};
template <class X>
using part_tree_t = typename part_tree<X>::type;

// A part followed by the trees of `Nested`.
template <class X, class Nested>
struct with_subtrees;
template <class X, class... Nested>
struct with_subtrees<X, type_list<Nested...>> {
  using type = concat_t<type_list<X>, part_tree_t<Nested>...>;
};

template <class X>
requires requires { typename X::nested_blocks; }
struct part_tree<X> : with_subtrees<X, typename X::nested_blocks> {};

}  // namespace syncline::detail
