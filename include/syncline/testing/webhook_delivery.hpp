// testing::webhook_delivery: one webhook on its way to one subscriber, with everything Shopify
// puts on the wire; testing::delivery_attempt: the record of one try, for tests to assert on.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace syncline::testing {

struct webhook_delivery {
  std::uint64_t sequence = 0;         // the queue's key: a duplicate has its own
  std::uint64_t subscription_id = 0;  // 0 for deliveries not made through a subscription
  std::string shop_domain;            // X-Shopify-Shop-Domain
  std::string topic;                  // X-Shopify-Topic
  std::string api_version;            // X-Shopify-API-Version
  std::string webhook_id;             // X-Shopify-Webhook-Id: one per delivery, kept on retries
  std::string event_id;               // X-Shopify-Event-Id: shared by deliveries of one action
  std::string triggered_at;           // X-Shopify-Triggered-At: RFC 3339, nanoseconds
  std::string subscription_name;      // X-Shopify-Name when the subscription has a name
  std::string address;                // fixed when the event fired, as Shopify does for retries
  std::string body;                   // the raw JSON bytes that were signed
  std::string hmac;                   // X-Shopify-Hmac-Sha256
  unsigned attempts = 0;              // tries made so far
  bool duplicate = false;             // an injected second copy
  bool wrong_signature = false;       // `hmac` was computed with a wrong key on purpose
  std::chrono::system_clock::time_point due{};
};

struct delivery_attempt {
  std::string webhook_id;
  std::string event_id;
  std::string shop_domain;
  std::string topic;
  std::string address;
  unsigned attempt = 1;  // 1 is the first try, 2 the first retry, ...
  bool duplicate = false;
  bool wrong_signature = false;
  std::optional<unsigned> status;  // the subscriber's HTTP status; nullopt when none came
  std::string error;               // why no status came (connect, timeout, ...)
  std::chrono::system_clock::time_point at{};

  bool succeeded() const noexcept { return status && *status >= 200 && *status < 300; }
};

}  // namespace syncline::testing
