// syncline::app_event<"order.placed", order_placed>: a run starts when your platform emits the
// named event with its payload.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

namespace syncline {

template <fixed_string Event, class Payload>
struct app_event {
  static_assert(detail::checked(detail::check_name<name_kind::event, "event", Event>()));

  using payload_type = Payload;
  using app_type = platform;
  static constexpr trigger_kind kind = trigger_kind::app_event;
  static constexpr std::string_view name = Event;
};

}  // namespace syncline
