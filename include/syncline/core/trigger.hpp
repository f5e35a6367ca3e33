// Triggers: what starts a run. A trigger is a type (usually empty) that says what it carries
// (`payload_type`), which app it comes from (`app_type`), what kind it is and its name (event
// name, webhook topic, or a workflow-local name). How each kind fires is the runtime's business.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/fixed_string.hpp>

#include <concepts>
#include <string_view>

namespace syncline {

enum class trigger_kind { app_event, webhook, poll, schedule, manual };

constexpr std::string_view to_string(trigger_kind k) noexcept {
  switch (k) {
    case trigger_kind::app_event: return "app_event";
    case trigger_kind::webhook: return "webhook";
    case trigger_kind::poll: return "poll";
    case trigger_kind::schedule: return "schedule";
    case trigger_kind::manual: return "manual";
  }
  return "unknown";
}

template <class T>
concept trigger = requires {
  typename T::payload_type;
  typename T::app_type;
  { T::kind } -> std::convertible_to<trigger_kind>;
  { T::name } -> std::convertible_to<std::string_view>;
}
&&app<typename T::app_type>;

// What an event or topic of an app carries. Specialise it once per event, next to the app:
//
//   template <> struct syncline::event_payload<syncline::platform, "order.placed"> {
//     using type = order_placed;
//   };
//
// and every trigger on that event must carry exactly that type (rule 5). Undeclared events
// carry whatever their trigger says.
template <class App, fixed_string Name>
struct event_payload {};

}  // namespace syncline
