// syncline::workflow<"push_orders">(trigger | block | ... | destination): names a pipeline and
// checks it. Every rule about one workflow is checked here, where the workflow is written, and a
// broken rule is reported once, by name (see diagnostic.hpp and docs/errors.md).
//
// A workflow runs one event at a time: `co_await wf.run(payload, ctx)`, or `wf.run_sync(payload,
// ctx)` when no block suspends. A filter or guard that says no ends the run as skipped; a failure
// is the error of the result.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/execute.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/part_tree.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/parts.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/run_ending.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/version.hpp>

#include <boost/hana/basic_tuple.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

// What a workflow demands of the failures of its blocks (rule 8, docs/errors.md).
enum class error_policy {
  // A failed block fails the run; the runtime retries transient errors and dead-letters the
  // rest. Recover blocks are optional.
  propagate,
  // Every block that can fail, except the destination, must be followed by a recover block
  // that decides what its failure means. For workflows whose failures nobody would see in time
  // (schedules, polls) or whose partial effects must not be replayed.
  handle,
};

template <fixed_string Name, error_policy Policy, version Version, class Trigger, class... Blocks>
class workflow_definition {
 public:
  static constexpr std::string_view name = Name;
  static constexpr auto fixed_name = Name;
  static constexpr error_policy policy = Policy;
  static constexpr syncline::version version = Version;
  using trigger_type = Trigger;
  using payload_type = typename Trigger::payload_type;
  using flow = detail::flow<payload_type, Blocks...>;
  using blocks_type = boost::hana::basic_tuple<Blocks...>;
  static constexpr std::size_t block_count = sizeof...(Blocks);
  // True when some block suspends: the workflow then runs only with co_await run(...).
  static constexpr bool is_async = flow::async;
  // The trigger, every block and the destination, nested arms included (see parts.hpp).
  static constexpr const auto& parts() noexcept {
    return detail::workflow_parts<Trigger, payload_type, Blocks...>;
  }

  [[no_unique_address]] Trigger trigger;
  [[no_unique_address]] blocks_type blocks;

  // Declares how this version runs a run an older version (runs_from) queued when the payload
  // type changed: the run's payload is read as OldPayload and f makes this version's payload of
  // it (version.hpp). f takes OldPayload or const OldPayload& and answers payload_type or
  // result<payload_type>; an error dead-letters the run.
  template <class OldPayload, class F>
  constexpr auto upgrades_from(F f) const;

  // Runs the workflow on one payload, without suspending. Only for workflows with no
  // asynchronous block; nothing is allocated unless a block allocates.
  //
  // Two overloads instead of one by value, so that the observed path (out of line) gets the
  // payload by reference without the unobserved one keeping it in memory: an lvalue is copied
  // on each path, where that path needs it, and an rvalue is the caller's object. Taken by
  // value, the payload was loaded whole before the observer test (for the observed path's
  // sake), or split by g++ into arguments pushed on the stack, for which the caller's loop gave
  // a register up to a frame pointer; both cost the chain of bench_pipeline a few percent.
  // (Only for a payload that can be copied: a move-only one is taken as an rvalue, so that an
  // lvalue is refused at the call rather than inside this function.)
  result<run_ending> run_sync(const payload_type& payload, run_context& ctx) const
      requires(!flow::async && std::is_copy_constructible_v<payload_type>) {
    if (ctx.observer()) [[unlikely]] {
      payload_type observed(payload);
      return run_observed(observed, ctx);
    }
    return run_unobserved(payload_type(payload), ctx);
  }
  result<run_ending> run_sync(payload_type&& payload, run_context& ctx) const
      requires(!flow::async) {
    if (ctx.observer()) [[unlikely]]
      return run_observed(payload, ctx);
    return run_unobserved(std::move(payload), ctx);
  }

  // Runs the workflow on one payload. The workflow must outlive the run (a constexpr workflow
  // at namespace scope always does).
  awaitable_for<result<run_ending>, Trigger> run(payload_type payload, run_context& ctx) const {
    if constexpr (!flow::async) {
      co_return run_sync(std::move(payload), ctx);
    } else {
      detail::run_access::begin(ctx, name);
      if (ctx.observer())
        co_return finish(
            co_await detail::run_async<flow, true, 0>(blocks, std::move(payload), ctx));
      co_return finish(co_await detail::run_async<flow, false, 0>(blocks, std::move(payload), ctx));
    }
  }

 private:
  // The context learns the workflow's name only when a block or an observer can read it:
  // a chain of pure blocks does nothing but call them.
  result<run_ending> run_unobserved(payload_type&& payload, run_context& ctx) const
      requires(!flow::async) {
    if constexpr (flow::needs_context) detail::run_access::begin(ctx, name);
    return finish(detail::run_sync<flow, false, 0, flow::size>(blocks, std::move(payload), ctx));
  }

  // Out of line, so that the unobserved path keeps its values in registers.
  [[gnu::noinline]] result<run_ending> run_observed(payload_type& payload, run_context& ctx) const
      requires(!flow::async) {
    detail::run_access::begin(ctx, name);
    return finish(detail::run_sync<flow, true, 0, flow::size>(blocks, std::move(payload), ctx));
  }

  static result<run_ending> finish(outcome<void> o) {
    if (o.has_value()) return run_ending{};
    if (o.is_skipped()) {
      const skipped& s = o.skip_info();
      return run_ending{run_ending::kind::skipped, s.position, s.block, s.reason};
    }
    return std::move(o).error();
  }
};

namespace detail {

// A workflow's parts: its trigger's and blocks' (what it needs, see needs.hpp).
template <fixed_string N, error_policy P, version V, class T, class... B>
struct part_tree<workflow_definition<N, P, V, T, B...>> {
  using type = concat_t<part_tree_t<T>, part_tree_t<B>...>;
};
template <class W, class Old, class F>
struct part_tree<upgrading_workflow<W, Old, F>> : part_tree<W> {};

template <class T>
inline constexpr bool is_workflow_v = false;
template <fixed_string N, error_policy P, version V, class T, class... B>
inline constexpr bool is_workflow_v<workflow_definition<N, P, V, T, B...>> = true;
template <class W, class Old, class F>
inline constexpr bool is_workflow_v<upgrading_workflow<W, Old, F>> = true;

// What workflow<...>() gives back when a rule is broken (after reporting it), so that code
// using the workflow adds no errors of its own on top of the one that matters.
template <fixed_string Name>
struct rejected_workflow {
  static constexpr std::string_view name = Name;
  // A broken workflow with a conversion declared after it still reports only its own error.
  template <class OldPayload, class F>
  constexpr rejected_workflow upgrades_from(const F&) const {
    return *this;
  }
};
template <class T>
inline constexpr bool is_rejected_workflow_v = false;
template <fixed_string N>
inline constexpr bool is_rejected_workflow_v<rejected_workflow<N>> = true;

// Rule 5: the payload an app declares for the trigger's event (if it declares one) is the
// payload the trigger carries.
template <class Trigger>
struct declared_payload {
  static constexpr bool mismatch = false;
};
template <class Trigger>
requires requires {
  typename event_payload<typename Trigger::app_type, fixed_name_of<Trigger>>::type;
}
struct declared_payload<Trigger> {
  using type = typename event_payload<typename Trigger::app_type, fixed_name_of<Trigger>>::type;
  static constexpr bool mismatch = !std::is_same_v<type, typename Trigger::payload_type>;
};

template <fixed_string Name, error_policy Policy, class... Blocks>
consteval bool check_pipeline(const pipeline<no_trigger, Blocks...>*) {
  using first = type_at_t<0, type_list<Blocks..., no_trigger>>;
  return diagnostic::workflow_has_no_trigger<Name, first>::value;
}

template <fixed_string Name, error_policy Policy, class Trigger, class... Blocks>
consteval bool check_pipeline(const pipeline<Trigger, Blocks...>*) {
  using payload = typename Trigger::payload_type;
  using flow_t = flow<payload, Blocks...>;
  if constexpr (declared_payload<Trigger>::mismatch) {
    return diagnostic::trigger_payload_mismatch<
        Name, fixed_name_of<Trigger>, typename declared_payload<Trigger>::type, payload>::value;
  } else if constexpr (sizeof...(Blocks) == 0) {
    return diagnostic::workflow_has_no_destination<Name, 0, fixed_name_of<Trigger>, payload>::value;
  } else if constexpr (!check_blocks<site<Name>, 1, payload, Blocks...>()) {
    return false;
  } else if constexpr (!check_keys_unique<site<Name>, payload, Blocks...>()) {
    return false;
  } else if constexpr (!flow_t::ends_in_destination) {
    using last = type_at_t<sizeof...(Blocks) - 1, type_list<Blocks...>>;
    return diagnostic::workflow_has_no_destination<Name, sizeof...(Blocks), fixed_block_name<last>,
                                                   typename flow_t::output>::value;
  } else if constexpr (flow_t::depth > run_context::max_nesting) {
    return diagnostic::blocks_nested_too_deep<Name, flow_t::depth>::value;
  } else if constexpr (Policy == error_policy::handle && flow_t::unhandled_at != 0) {
    constexpr std::size_t at = flow_t::unhandled_at;
    using block = type_at_t<at - 1, type_list<Blocks...>>;
    using output = type_at_t<at, typename flow_t::inputs>;
    return diagnostic::unhandled_block_errors<
        Name, at, fixed_block_name<block>,
        std::conditional_t<std::is_void_v<output>, diagnostic::nothing, output>>::value;
  } else {
    return true;
  }
}

// What the options after a workflow's name say: at most one error_policy and one version.
struct workflow_settings {
  error_policy policy = error_policy::propagate;
  syncline::version version{};
  int policies = 0;
  int versions = 0;
  bool unknown = false;
  constexpr bool well_formed() const noexcept { return !unknown && policies <= 1 && versions <= 1; }
};

template <auto Option>
constexpr void add_option(workflow_settings& s) {
  using O = std::remove_cv_t<decltype(Option)>;  // a class-type parameter object is const
  if constexpr (std::is_same_v<O, error_policy>) {
    s.policy = Option;
    ++s.policies;
  } else if constexpr (std::is_same_v<O, syncline::version>) {
    s.version = Option;
    ++s.versions;
  } else {
    s.unknown = true;
  }
}

template <auto... Options>
consteval workflow_settings settings_of() {
  workflow_settings s;
  (add_option<Options>(s), ...);
  return s;
}

template <fixed_string Name, class P, auto... Options>
consteval bool check_workflow() {
  constexpr workflow_settings s = settings_of<Options...>();
  if constexpr (!check_name<name_kind::identifier, "workflow", Name>()) {
    return false;
  } else if constexpr (!s.well_formed()) {
    return diagnostic::bad_workflow_options<Name, Options...>::value;
  } else if constexpr (!s.version.valid()) {
    return diagnostic::invalid_workflow_version<Name, s.version.number, s.version.runs_from>::value;
  } else if constexpr (trigger<P>) {  // a trigger alone: no blocks, no destination
    return diagnostic::workflow_has_no_destination<Name, 0, fixed_name_of<P>,
                                                   typename P::payload_type>::value;
  } else if constexpr (!is_pipeline_v<P>) {
    return diagnostic::workflow_has_no_trigger<Name, P>::value;
  } else {
    return check_pipeline<Name, s.policy>(static_cast<const P*>(nullptr));
  }
}

}  // namespace detail

template <fixed_string Name, error_policy Policy, version Version, class Trigger, class... Blocks>
template <class OldPayload, class F>
constexpr auto workflow_definition<Name, Policy, Version, Trigger, Blocks...>::upgrades_from(
    F f) const {
  if constexpr (detail::check_upgrade<Name, Version, OldPayload, payload_type, F>())
    return upgrading_workflow<workflow_definition, OldPayload, F>{*this, std::move(f)};
  else
    return detail::rejected_workflow<Name>{};
}

// Names and checks a workflow. After the name come its options, in any order: an error_policy
// (whether failures must be handled in the workflow; propagate by default) and a version
// (version.hpp; version{1} by default).
template <fixed_string Name, auto... Options, class P>
constexpr auto workflow(const P& p) {
  if constexpr (detail::check_workflow<Name, P, Options...>()) {
    constexpr detail::workflow_settings s = detail::settings_of<Options...>();
    return [&]<class T, class... B>(const pipeline<T, B...>& q) {
      return workflow_definition<Name, s.policy, s.version, T, B...>{q.trigger, q.blocks};
    }(p);
  } else {
    return detail::rejected_workflow<Name>{};
  }
}

}  // namespace syncline
