// testing::emulated_shop: one tenant of the emulator — a shop, its plan, currency, catalogue and
// data, and optionally its own app already installed with fixed, non-expiring access tokens.
#pragma once

#include <syncline/connectors/shopify/plan_limits.hpp>
#include <syncline/core/secret.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace syncline::testing {

// A product variant that line items may name by `variant_id` / `variantId`; its title, price
// and SKU then fill the line item, as Shopify does from the catalogue.
struct emulated_variant {
  std::uint64_t id = 0;
  std::uint64_t product_id = 0;
  std::string title;
  std::string price;  // decimal string, e.g. "19.99"
  std::string sku;
  std::string vendor;
};

struct emulated_shop {
  std::string domain;  // "acme" or "acme.myshopify.com"
  // X-Shopify-Access-Token values of the shop's own app, installed from the start; any one
  // authenticates and none expires. Empty: no app is installed until one installs through OAuth
  // (shopify_emulator_options::apps).
  std::vector<secret> access_tokens;
  secret client_secret;  // the shop's own app's secret: signs its webhooks (needed with tokens)
  shopify::plan_limits plan;  // the rate limits the emulator enforces for this shop
  std::string name;           // the shop's display name; defaults to the subdomain
  std::string currency = "USD";
  // REST and webhook timestamps carry the shop's offset (Shopify writes local time with offset);
  // a non-zero default catches clients that drop offsets.
  std::chrono::minutes utc_offset{-300};
  std::uint64_t app_id = 1354745;   // source_name of orders the app creates without one
  std::string webhook_api_version;  // empty: the latest stable version the emulator serves
  std::vector<emulated_variant> variants;
};

}  // namespace syncline::testing
