// syncline::schedule<"nightly_report", "0 2 * * *">: a run starts at the times of a cron
// expression (UTC) or every interval ("@every 15m"). The spec is parsed by the compiler, so a
// schedule that could never fire does not build. Each run carries the tick it was due at.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/detail/cron.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/trigger.hpp>

#include <chrono>
#include <string_view>

namespace syncline {

// The payload of a scheduled run: when it was due (not when it started, which may be later).
struct tick {
  std::chrono::system_clock::time_point scheduled_for;
  friend bool operator==(const tick&, const tick&) = default;
};

namespace detail {
template <fixed_string Name, fixed_string Spec>
consteval bool check_schedule() {
  if constexpr (parse_schedule(Spec.view()).valid)
    return true;
  else
    return diagnostic::invalid_schedule<Name, Spec>::value;
}
}  // namespace detail

template <fixed_string Name, fixed_string Spec>
struct schedule {
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "schedule", Name>()));
  static_assert(detail::checked(detail::check_schedule<Name, Spec>()));

  using payload_type = tick;
  using app_type = platform;
  static constexpr trigger_kind kind = trigger_kind::schedule;
  static constexpr std::string_view name = Name;
  static constexpr std::string_view spec_text = Spec;
  static constexpr schedule_spec spec = parse_schedule(Spec.view());
};

}  // namespace syncline
