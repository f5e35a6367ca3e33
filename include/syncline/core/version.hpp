// syncline::version{2}: which version of a workflow a definition is, and which queued runs it
// runs. A run records the version of the workflow that queued it, and an engine claims only the
// runs of versions it has (store.hpp, claim): during a rolling deploy old and new binaries share
// one database, and neither runs the other's runs with the wrong blocks.
//
//   workflow<"push_orders", version{2}>(...)                    // runs version 2's runs only
//   workflow<"push_orders", version{.number = 2, .runs_from = 1}>(...)
//                                  // version 2 also runs the runs version 1 queued, as its own
//   workflow<"push_orders", version{.number = 2, .runs_from = 1}>(...)
//       .upgrades_from<order_v1>([](const order_v1& o) { return order_v2{...}; })
//                                  // ... reading their payload as order_v1 and converting it
//
// Two ways to retire a version: keep its definition in the integration next to the new one (it
// runs its queued runs, receives no new events: the highest number does), or declare with
// runs_from that the new definition runs them, which it can when it reads their payload: the
// trigger's payload type is the same, or decodes from the same JSON, or upgrades_from<Old>(f)
// says how (every older version it runs is read as Old, then f makes this version's payload of
// it; f answers the payload or result of it, and an error dead-letters the run). Idempotency keys
// are made of block names (run_context.hpp), so a block kept under its name writes once across
// versions.
#pragma once

#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>

#include <cstdint>
#include <type_traits>

namespace syncline {

struct version {
  std::uint32_t number = 1;
  // The oldest version whose queued runs this definition runs; 0: only its own.
  std::uint32_t runs_from = 0;

  constexpr std::uint32_t oldest() const noexcept { return runs_from == 0 ? number : runs_from; }
  constexpr bool runs(std::uint32_t v) const noexcept { return v >= oldest() && v <= number; }
  constexpr bool valid() const noexcept { return number >= 1 && runs_from <= number; }
  friend constexpr bool operator==(const version&, const version&) = default;
};

// A workflow that runs older versions' runs (runs_from) and reads their payload as OldPayload,
// which Upgrade turns into its own. Made by workflow_definition::upgrades_from; everything else is
// the workflow's.
template <class Workflow, class OldPayload, class Upgrade>
struct upgrading_workflow : Workflow {
  using old_payload_type = OldPayload;
  using typename Workflow::payload_type;

  [[no_unique_address]] Upgrade upgrade_fn;

  // The payload of a run an older version queued, as this version takes it.
  result<payload_type> upgrade(const OldPayload& old) const { return upgrade_fn(old); }

  // One conversion per workflow: every older version it runs is read as OldPayload.
  template <class, class U>
  void upgrades_from(U) const = delete;
};

namespace detail {

// What f answers for the old payload (diagnostic::not_callable when it cannot take it as
// const OldPayload&, which a by-value or const& parameter can, and a T& cannot).
template <class F, class OldPayload>
struct upgrade_answer {
  using type = diagnostic::not_callable;
};
template <class F, class OldPayload>
requires std::is_invocable_v<const F&, const OldPayload&>
struct upgrade_answer<F, OldPayload> {
  using type = std::invoke_result_t<const F&, const OldPayload&>;
};

template <fixed_string Workflow, version Version, class OldPayload, class Payload, class F>
consteval bool check_upgrade() {
  using answer = typename upgrade_answer<F, OldPayload>::type;
  if constexpr (Version.oldest() == Version.number)
    return diagnostic::upgrade_without_older_version<Workflow, Version.number, OldPayload>::value;
  else if constexpr (!std::is_same_v<answer, Payload> && !std::is_same_v<answer, result<Payload>>)
    return diagnostic::upgrade_function_mismatch<Workflow, OldPayload, Payload, answer>::value;
  else
    return true;
}

}  // namespace detail

}  // namespace syncline
