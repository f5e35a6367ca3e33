// testing::shopify_emulator_options: everything that shapes an emulator — its shops, the API
// versions it serves, the apps that install through OAuth, its clock, the webhook retry schedule
// and how it answers throttling.
#pragma once

#include <syncline/testing/emulated_app.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/emulator_clock.hpp>
#include <syncline/testing/shopify_api_versions.hpp>
#include <syncline/testing/webhook_retry_schedule.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace syncline::testing {

struct shopify_emulator_options {
  std::vector<emulated_shop> shops;
  // Apps that merchants install through OAuth (/admin/oauth/authorize, a token exchange); their
  // tokens expire and refresh by `clock`.
  std::vector<emulated_app> apps;
  shopify_api_versions versions;  // default: 2025-04 .. 2026-01 and unstable
  emulator_clock clock;           // default: the system clock
  webhook_retry_schedule
      retry_schedule;  // Shopify's 8 retries over 4 h; set time_scale to compress
  // Deliveries in flight at once. Shopify sends many at once and keeps no order between them;
  // 1 (the default) sends one after another in due order, which most tests want.
  std::size_t webhook_concurrency = 1;
  // Shopify deletes a subscription made through the API once every retry of a delivery failed.
  bool remove_failing_subscriptions = true;
  // THROTTLED GraphQL answers come with HTTP 200 on Shopify; 429 is offered for clients that
  // must also cope with proxies answering that way.
  unsigned graphql_throttle_status = 200;
  std::uint64_t seed = 0;  // ids of webhooks, tokens, faults; 0 draws a random seed
  // Base of the URLs the emulator hands out (Link, Location), e.g. "https://emu.test:8443".
  // Empty: "http://" + the request's Host header, so links lead back to the emulator.
  std::string public_base_url;

  // Where shopify_emulator listens (the synchronous core ignores these).
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
};

}  // namespace syncline::testing
