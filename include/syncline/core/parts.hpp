// A workflow's structure as data: one part_info per trigger, block and destination, nested arms
// included, computed by the compiler. The runtime reads it for the run log, to_dot/to_mermaid
// draw it, and tests can assert on it.
#pragma once

#include <syncline/core/block.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/type_name.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace syncline {

enum class part_role { trigger, block, destination };

constexpr std::string_view to_string(part_role r) noexcept {
  switch (r) {
    case part_role::trigger: return "trigger";
    case part_role::block: return "block";
    case part_role::destination: return "destination";
  }
  return "unknown";
}

inline constexpr std::size_t no_parent = static_cast<std::size_t>(-1);

struct part_info {
  std::size_t parent = no_parent;  // index (in the parts array) of the enclosing composite block
  std::string_view arm;            // which arm of the parent: "then", "else", "each", a case name
  std::size_t position = 0;        // in its own pipeline: trigger 0, blocks from 1
  part_role role = part_role::block;
  std::string_view kind;    // "app_event", "webhook", ... for triggers; "map", "filter", ... else
  std::string_view name;    // event name, topic or block name
  std::string_view input;   // type it receives; empty for a trigger
  std::string_view output;  // type it produces; empty for none (destinations)
  std::string_view app;     // the app it declares, empty when none
  effect how = effect::pure;
  std::string_view arms;  // composite blocks: their arms, comma-separated ("then,else")
};

namespace detail {

template <class T>
constexpr std::string_view type_name_or_empty() noexcept {
  if constexpr (std::is_void_v<T>)
    return {};
  else
    return type_name<T>();
}

template <class B>
constexpr std::string_view app_name_of() noexcept {
  if constexpr (has_app_type<B>)
    return B::app_type::name;
  else
    return {};
}

template <class B, class In>
constexpr void describe_block(part_info* out, std::size_t& n, std::size_t parent,
                              std::string_view arm, std::size_t position) {
  using sig = block_signature<B, In>;
  const std::size_t self = n++;
  out[self] =
      part_info{parent,
                arm,
                position,
                sig::is_destination ? part_role::destination : part_role::block,
                block_kind<B>(),
                block_name<B>(),
                type_name<In>(),
                type_name_or_empty<typename sig::output>(),
                app_name_of<B>(),
                sig::async ? effect::async : (sig::may_fail ? effect::fallible : effect::pure),
                {}};
  if constexpr (declared_protocol<B>() == protocol::composite) {
    out[self].arms = B::arm_names.view();
    B::template describe<In>(out, n, self);
  }
}

template <class In, class... Bs>
constexpr void describe_blocks(part_info* out, std::size_t& n, std::size_t parent,
                               std::string_view arm, std::size_t position) {
  if constexpr (sizeof...(Bs) != 0) {
    [&]<class B, class... Rest>(type_list<B, Rest...>) {
      describe_block<B, In>(out, n, parent, arm, position);
      describe_blocks<typename block_signature<B, In>::output, Rest...>(out, n, parent, arm,
                                                                        position + 1);
    }(type_list<Bs...>{});
  }
}

// The parts of an arm, children of the composite block at `parent`.
template <class In, class... Bs>
constexpr void describe_arm(const pipeline<no_trigger, Bs...>*, part_info* out, std::size_t& n,
                            std::size_t parent, std::string_view arm) {
  describe_blocks<In, Bs...>(out, n, parent, arm, 1);
}

template <class Trigger, class Payload, class... Blocks>
constexpr auto describe_workflow() {
  std::array<part_info, 1 + flow<Payload, Blocks...>::part_count> parts{};
  parts[0] = part_info{no_parent,
                       {},
                       0,
                       part_role::trigger,
                       to_string(Trigger::kind),
                       Trigger::name,
                       {},
                       type_name<Payload>(),
                       Trigger::app_type::name,
                       effect::pure,
                       {}};
  std::size_t n = 1;
  describe_blocks<Payload, Blocks...>(parts.data(), n, no_parent, {}, 1);
  return parts;
}

// Computed once per workflow type, and only for workflows whose parts someone reads.
template <class Trigger, class Payload, class... Blocks>
inline constexpr auto workflow_parts = describe_workflow<Trigger, Payload, Blocks...>();

}  // namespace detail
}  // namespace syncline
