// syncline::webhook<App, "orders/create", Payload>: a run starts when the app delivers the topic
// to our webhook endpoint. Connectors build their own on it, e.g.
//   template <fixed_string Topic> struct shopify::webhook
//       : syncline::webhook<shopify::app, Topic, typename event_payload<app, Topic>::type> {};
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

namespace syncline {

template <app App, fixed_string Topic, class Payload>
struct webhook {
  static_assert(detail::checked(detail::check_name<name_kind::topic, "topic", Topic>()));

  using payload_type = Payload;
  using app_type = App;
  static constexpr trigger_kind kind = trigger_kind::webhook;
  static constexpr std::string_view name = Topic;
};

}  // namespace syncline
