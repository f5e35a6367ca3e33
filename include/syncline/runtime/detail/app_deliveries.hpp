// How the engine authenticates an app's webhook deliveries when no trigger is involved (the
// app's uninstall notice): the app's identify/verify (core/delivery.hpp) with the credentials
// type erased, kept once per installed integration.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/runtime/detail/installation.hpp>

#include <string_view>

namespace syncline::detail {

struct app_deliveries {
  // Null when the app is not a verifiable_app: then only its triggers accept deliveries.
  result<delivery_identity> (*identify)(const inbound_delivery&) = nullptr;
  result<void> (*verify)(const inbound_delivery&, const installation&) = nullptr;
  // The topic that uninstalls the tenant it names; "" when the app has none.
  std::string_view uninstall_topic{};

  bool uninstalls_on(std::string_view topic) const noexcept {
    return identify && !uninstall_topic.empty() && topic == uninstall_topic;
  }

  template <class App>
  static app_deliveries of() {
    app_deliveries d;
    if constexpr (verifiable_app<App>) {
      d.identify = [](const inbound_delivery& in) { return App::identify(in); };
      d.verify = [](const inbound_delivery& in, const installation& inst) {
        return App::verify(in, *static_cast<const typename App::credentials*>(inst.credentials()));
      };
      if constexpr (uninstall_notifying_app<App>) d.uninstall_topic = App::uninstall_topic;
    }
    return d;
  }
};

}  // namespace syncline::detail
