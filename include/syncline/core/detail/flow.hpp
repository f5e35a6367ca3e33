// How a value flows through a list of blocks: the type at each step and what the list as a
// whole can do (fail, skip, suspend, need the run context). The checks and the runners both
// read it; nothing here reports an error (see check.hpp for that).
#pragma once

#include <syncline/core/detail/signature.hpp>
#include <syncline/core/detail/type_list.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

namespace syncline::detail {

template <class In, class... Bs>
struct flow;

template <class In>
struct flow<In> {
  static constexpr std::size_t size = 0;
  static constexpr bool ok = true;
  using output = In;
  using inputs = type_list<In>;  // inputs[i]: what block i receives; inputs[size]: the output
  static constexpr bool async = false, may_fail = false, may_skip = false, needs_context = false;
  static constexpr bool ends_in_destination = false, has_recover = false;
  static constexpr std::size_t unhandled_at = 0;  // 1-based position of an unhandled failure
  static constexpr std::size_t depth = 0;         // nesting of composite blocks
  static constexpr std::size_t part_count = 0;
  static constexpr std::array<bool, 0> async_at{}, recover_at{};
};

template <std::size_t N>
constexpr std::array<bool, N + 1> push_front(bool b, const std::array<bool, N>& a) {
  std::array<bool, N + 1> r{};
  r[0] = b;
  for (std::size_t i = 0; i != N; ++i) r[i + 1] = a[i];
  return r;
}

template <class In, class B, class... Rest>
struct flow<In, B, Rest...> {
  using head = block_signature<B, In>;
  using rest = flow<typename head::output, Rest...>;

  static constexpr std::size_t size = 1 + sizeof...(Rest);
  // A destination ends its pipeline and produces nothing.
  static constexpr bool placed_well =
      !head::is_destination || (sizeof...(Rest) == 0 && std::is_void_v<typename head::output>);
  static constexpr bool ok = head::accepted && head::fits && placed_well && rest::ok;
  using output = typename rest::output;
  using inputs = typename prepend<In, typename rest::inputs>::type;

  static constexpr bool async = head::async || rest::async;
  static constexpr bool may_fail = head::may_fail || rest::may_fail;
  static constexpr bool may_skip = head::may_skip || rest::may_skip;
  static constexpr bool needs_context = head::needs_context || rest::needs_context;
  static constexpr bool ends_in_destination =
      sizeof...(Rest) == 0 ? head::is_destination : rest::ends_in_destination;
  static constexpr bool has_recover = head::is_recover || rest::has_recover;
  // A recover block handles the failures of every block before it (rule 8).
  static constexpr std::size_t unhandled_at =
      (head::unhandled && !rest::has_recover) ? 1
                                              : (rest::unhandled_at ? rest::unhandled_at + 1 : 0);
  static constexpr std::size_t depth = head::depth > rest::depth ? head::depth : rest::depth;
  static constexpr std::size_t part_count = head::part_count + rest::part_count;
  static constexpr auto async_at = push_front(head::async, rest::async_at);
  static constexpr auto recover_at = push_front(head::is_recover, rest::recover_at);
};

// The flow of a trigger-less pipeline (an arm of a branch, route or for_each) for an input.
template <class Pipeline, class In>
struct arm_flow;

}  // namespace syncline::detail
