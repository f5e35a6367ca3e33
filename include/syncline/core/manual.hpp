// syncline::manual<Payload>: a run started on request (an admin button, a test, a backfill).
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

namespace syncline {

template <class Payload, fixed_string Name = "manual">
struct manual {
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "manual", Name>()));

  using payload_type = Payload;
  using app_type = platform;
  static constexpr trigger_kind kind = trigger_kind::manual;
  static constexpr std::string_view name = Name;
};

}  // namespace syncline
