// syncline::run_outcome: how a run that did not fail ended — completed, or skipped by a filter,
// guard or route at a known position. Failures travel as the error of result<run_outcome>.
#pragma once

#include <cstddef>
#include <string_view>

namespace syncline {

enum class run_status { completed, skipped };

constexpr std::string_view to_string(run_status s) noexcept {
  return s == run_status::completed ? "completed" : "skipped";
}

struct run_outcome {
  run_status status = run_status::completed;
  std::size_t position = 0;  // skipped: the top-level part that decided (trigger = 0)
  std::string_view block;    // skipped: the block that said no (innermost, for nested arms)
  std::string_view reason;   // skipped: the reason the block gave, if any

  constexpr bool completed() const noexcept { return status == run_status::completed; }
  constexpr bool was_skipped() const noexcept { return status == run_status::skipped; }

  friend constexpr bool operator==(const run_outcome&, const run_outcome&) = default;
};

}  // namespace syncline
