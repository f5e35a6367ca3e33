// How the engine reads and authenticates the deliveries of one app: the app's identify/verify
// (core/delivery.hpp) with the credentials type erased, kept once per installed integration, and
// once for your platform (POST /events, runtime/detail/signed_platform.hpp). The delivery gate
// (delivery_gate.hpp) is the only caller: a delivery is authenticated by its app, never by a
// workflow.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>

#include <string_view>

namespace syncline::detail {

struct app_deliveries {
  // Null when the app is not a verifiable_app: its deliveries are then refused (404).
  result<delivery_identity> (*identify)(const inbound_delivery&) = nullptr;
  // `credentials` is the app's credentials type: an installation's, or the platform's own.
  result<void> (*verify)(const inbound_delivery&, const void* credentials) = nullptr;
  // The topic that uninstalls the tenant it names; "" when the app has none.
  std::string_view uninstall_topic{};

  // What the app's deliveries start, what their tenant_key names and what the dedupe key is
  // called in a refusal. An app's webhooks name a tenant by its key (the shop domain); your
  // platform's events name it by its id.
  trigger_kind starts = trigger_kind::webhook;
  bool tenant_key_is_id = false;
  std::string_view dedupe_key_name = "the delivery's id";
  // Whether a body that does not decode as a workflow's payload is refused at the door (400)
  // rather than dead-lettered by its run: for your platform, whose sender can fix it.
  bool checks_payload = false;

  bool uninstalls_on(std::string_view topic) const noexcept {
    return identify && !uninstall_topic.empty() && topic == uninstall_topic;
  }

  template <class App>
  static app_deliveries of() {
    app_deliveries d;
    if constexpr (verifiable_app<App>) {
      d.identify = [](const inbound_delivery& in) { return App::identify(in); };
      d.verify = [](const inbound_delivery& in, const void* credentials) {
        return App::verify(in, *static_cast<const typename App::credentials*>(credentials));
      };
      if constexpr (uninstall_notifying_app<App>) d.uninstall_topic = App::uninstall_topic;
    }
    return d;
  }
};

}  // namespace syncline::detail
