// syncline::run_ending: how a run that did not fail ended — completed, or skipped by a filter,
// guard or route at a known position. Failures travel as the error of result<run_ending>.
#pragma once

#include <cstddef>
#include <string_view>

namespace syncline {

struct run_ending {
  // Nested, not a run_status of its own: store::run_status is the queue state of a run.
  enum class kind { completed, skipped };

  kind how = kind::completed;
  std::size_t position = 0;  // skipped: the top-level part that decided (trigger = 0)
  std::string_view block;    // skipped: the block that said no (innermost, for nested arms)
  std::string_view reason;   // skipped: the reason the block gave, if any

  constexpr bool completed() const noexcept { return how == kind::completed; }
  constexpr bool was_skipped() const noexcept { return how == kind::skipped; }

  friend constexpr bool operator==(const run_ending&, const run_ending&) = default;
};

constexpr std::string_view to_string(run_ending::kind k) noexcept {
  return k == run_ending::kind::completed ? "completed" : "skipped";
}

}  // namespace syncline
