// syncline::version{2}: which version of a workflow a definition is, and which queued runs it
// runs. A run records the version of the workflow that queued it, and an engine claims only the
// runs of versions it has (store.hpp, claim): during a rolling deploy old and new binaries share
// one database, and neither runs the other's runs with the wrong blocks.
//
//   workflow<"push_orders", version{2}>(...)                    // runs version 2's runs only
//   workflow<"push_orders", version{.number = 2, .runs_from = 1}>(...)
//                                  // version 2 also runs the runs version 1 queued, as its own
//
// Two ways to retire a version: keep its definition in the integration next to the new one (it
// runs its queued runs, receives no new events: the highest number does), or declare with
// runs_from that the new definition runs them, which it can when it reads their payload (the
// trigger's payload type is the same, or decodes from the same JSON). Idempotency keys are made of
// block names (run_context.hpp), so a block kept under its name writes once across versions.
#pragma once

#include <cstdint>

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

}  // namespace syncline
