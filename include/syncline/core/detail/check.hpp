// The compile-time checks of a list of blocks. Each check that fails instantiates its
// diagnostic (one static_assert with a `syncline:` message) and stops the walk, so that exactly
// one error is printed for one mistake.
#pragma once

#include <syncline/core/block.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline::detail {

// A block's name as a template argument for diagnostics.
template <class B>
inline constexpr auto fixed_block_name = fixed_string<block_name<B>().size()>(block_name<B>());

// Where a list of blocks sits: a workflow, or an arm of a composite block at top-level position
// `Top` whose blocks are labelled "<Prefix>[<position>].<name>".
template <fixed_string Workflow, std::size_t Top = 0, fixed_string Prefix = "">
struct site {
  static constexpr auto workflow = Workflow;
  static constexpr bool nested = Prefix.size() != 0;

  template <std::size_t Position>
  static constexpr std::size_t position = nested ? Top : Position;

  template <std::size_t Position, fixed_string Name>
  static constexpr auto label() {
    if constexpr (nested)
      return Prefix + fixed_string("[") + digits_of<Position>() + fixed_string("].") + Name;
    else
      return Name;
  }

  // The site of arm `Arm` of the composite block `Name` at `Position` here.
  template <std::size_t Position, fixed_string Name, fixed_string Arm>
  using arm = site<Workflow, position<Position>, label<Position, Name>() + fixed_string(".") + Arm>;
};

inline constexpr std::size_t no_block = static_cast<std::size_t>(-1);

// A block that takes the run context only for its services says
// `static constexpr bool reads_idempotency_key = false;` (the echo guards do).
template <class B>
concept reads_no_key = requires {
  requires !B::reads_idempotency_key;
};

// The first two blocks of a list whose idempotency keys would be the same, as their indices
// (no_block when there are none): two blocks of one name that both take the run context, and
// so may read its key. A block that never sees the context (or says it reads no key) has none,
// and may share its name (the same pure block type twice in a row, two echo guards). A few
// string comparisons per list: cheap to compile.
template <class In, class... B, std::size_t... I>
consteval std::array<std::size_t, 2> first_shared_key(type_list<B...>, std::index_sequence<I...>) {
  using inputs = typename flow<In, B...>::inputs;
  constexpr std::array<std::string_view, sizeof...(B)> names{block_name<B>()...};
  constexpr std::array<bool, sizeof...(B)> keyed{
      (block_signature<B, type_at_t<I, inputs>>::needs_context && !reads_no_key<B>)...};
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j)
      if (keyed[i] && keyed[j] && names[i] == names[j]) return {i, j};
  return {no_block, no_block};
}
template <class In, class... B>
inline constexpr std::array<std::size_t, 2> shared_key =
    first_shared_key<In>(type_list<B...>{}, std::index_sequence_for<B...>{});

// Rule: the blocks of one list (the workflow's, or an arm's) have distinct idempotency keys.
// Checked after the blocks' types (check_blocks): the flow it reads is then free of poison.
template <class Site, class In, class... B>
consteval bool check_keys_unique() {
  constexpr auto shared = shared_key<In, B...>;
  if constexpr (shared[0] == no_block) {
    return true;
  } else {
    using first = type_at_t<shared[0], type_list<B...>>;
    using second = type_at_t<shared[1], type_list<B...>>;
    return diagnostic::duplicate_block_name<
        Site::workflow, Site::template label<shared[0] + 1, fixed_block_name<first>>(),
        shared[0] + 1, shared[1] + 1, first, second>::value;
  }
}

// Blocks with rules of their own (map, filter, branch, ...) say so and provide
// `template <class Site, std::size_t Position, class In> static consteval bool check()`.
template <class B>
concept has_check_hook = requires {
  requires B::has_own_checks;
};

template <class Site, std::size_t Position, class B, class In>
consteval bool check_own_rules() {
  if constexpr (has_check_hook<B>)
    return B::template check<Site, Position, In>();
  else
    return true;
}

template <class Site, std::size_t Position, class B, class In>
consteval bool check_block_alone() {
  using sig = block_signature<B, In>;
  constexpr auto name = fixed_block_name<B>;
  constexpr auto label = Site::template label<Position, name>();
  constexpr std::size_t pos = Site::template position<Position>;
  if constexpr (has_static_name<B> && !is_valid_name(name_kind::identifier, name.view())) {
    return diagnostic::invalid_identifier<"block", name>::value;
  } else if constexpr (!sig::accepted && declared_protocol<B>() == protocol::call &&
                       takes_lvalue_only<B, In>) {
    return diagnostic::takes_non_const_reference<
        Site::workflow, pos, label, std::add_lvalue_reference_t<first_parameter_t<B>>>::value;
  } else if constexpr (!sig::accepted) {
    using expected = std::conditional_t<declared_protocol<B>() == protocol::call,
                                        first_parameter_t<B>, diagnostic::generic_parameter>;
    using got = std::conditional_t<std::is_void_v<In>, diagnostic::nothing, In>;
    if constexpr (sig::is_destination)
      return diagnostic::destination_does_not_accept<Site::workflow, pos, label, expected,
                                                     got>::value;
    else
      return diagnostic::block_does_not_accept<Site::workflow, pos, label, expected, got>::value;
  } else if constexpr (!sig::fits) {
    return diagnostic::recover_must_produce_input<Site::workflow, pos, label, In,
                                                  typename sig::returned_type>::value;
  } else if constexpr (sig::is_destination && !std::is_void_v<typename sig::output>) {
    return diagnostic::destination_must_return_void<Site::workflow, pos, label,
                                                    typename sig::returned_type>::value;
  } else {
    return true;
  }
}

// Checks blocks [Position, ...) of a list whose first block receives `In`. Blocks with their
// own rules (map, filter, branch, ...) check themselves first through a `check` hook.
template <class Site, std::size_t Position, class In, class B, class... Rest>
consteval bool check_blocks() {
  if constexpr (!check_own_rules<Site, Position, B, In>()) {
    return false;
  } else if constexpr (!check_block_alone<Site, Position, B, In>()) {
    return false;
  } else if constexpr (is_destination_v<B> || block_signature<B, In>::is_destination) {
    if constexpr (sizeof...(Rest) != 0)
      return diagnostic::destination_not_last<
          Site::workflow, Site::template position<Position>,
          Site::template label<Position, fixed_block_name<B>>()>::value;
    else
      return true;
  } else if constexpr (sizeof...(Rest) == 0) {
    return true;
  } else {
    return check_blocks<Site, Position + 1, typename block_signature<B, In>::output, Rest...>();
  }
}

// An arm: a (possibly empty) list of blocks.
template <class Site, class In, class... B>
consteval bool check_arm_blocks() {
  if constexpr (sizeof...(B) == 0)
    return true;
  else if constexpr (!check_blocks<Site, 1, In, B...>())
    return false;
  else
    return check_keys_unique<Site, In, B...>();
}

}  // namespace syncline::detail
