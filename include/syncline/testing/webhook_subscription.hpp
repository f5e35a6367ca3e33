// testing::webhook_subscription: "send topic T of this shop to address A", as the REST
// webhooks.json resource and the emulator's embedding API create it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace syncline::testing {

struct webhook_subscription {
  std::uint64_t id = 0;
  std::string topic;    // "orders/create", ...
  std::string address;  // http(s) URL
  std::string format = "json";
  std::vector<std::string> fields;  // when non-empty, payloads keep only these top-level keys
  std::string name;                 // echoed as X-Shopify-Name
  std::string api_version;          // the version payloads are serialized in
  // The app that made it (an emulated_app's client id) and whose secret signs its deliveries;
  // empty: the shop's own app (emulated_shop::client_secret).
  std::string app_client_id;
  std::chrono::system_clock::time_point created_at{};
  std::chrono::system_clock::time_point updated_at{};
};

// Topics the emulator knows. The order topics are fired by order changes; the others can be sent
// with shopify_emulator_state::emit (e.g. app/uninstalled, the compliance topics).
inline const std::vector<std::string>& known_webhook_topics() {
  static const std::vector<std::string> topics = {"orders/create",
                                                  "orders/updated",
                                                  "orders/paid",
                                                  "orders/cancelled",
                                                  "orders/delete",
                                                  "orders/fulfilled",
                                                  "orders/partially_fulfilled",
                                                  "orders/edited",
                                                  "app/uninstalled",
                                                  "shop/update",
                                                  "customers/create",
                                                  "customers/update",
                                                  "customers/data_request",
                                                  "customers/redact",
                                                  "shop/redact",
                                                  "products/create",
                                                  "products/update",
                                                  "products/delete"};
  return topics;
}

}  // namespace syncline::testing
