// syncline::poll<App, "orders", Payload, "@every 5m">: a run starts for each new record found by
// reading the app's API from a stored cursor, as often as the schedule says. Connectors
// specialise it with the request and the cursor; here it is the typed source with its name.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/detail/cron.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

namespace syncline {

template <app App, fixed_string Name, class Payload, fixed_string Every = "@every 5m">
struct poll {
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "poll", Name>()));
  static_assert(detail::checked(detail::check_schedule<Name, Every>()));

  using payload_type = Payload;
  using app_type = App;
  static constexpr trigger_kind kind = trigger_kind::poll;
  static constexpr std::string_view name = Name;
  static constexpr std::string_view spec_text = Every;
  static constexpr schedule_spec spec = parse_schedule(Every.view());
};

}  // namespace syncline
