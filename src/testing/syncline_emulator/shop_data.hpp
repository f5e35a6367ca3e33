// Everything the emulator keeps for one shop: its configuration, orders (in Shopify's own REST
// JSON shape, so unknown fields stay faithful), customers, subscriptions, rate buckets, faults.
#pragma once

#include <syncline/testing/emulated_app.hpp>
#include <syncline/testing/emulated_shop.hpp>
#include <syncline/testing/shopify_faults.hpp>
#include <syncline/testing/webhook_subscription.hpp>
#include <syncline_emulator/leaky_bucket.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace syncline::testing::detail {

using sys_time = std::chrono::system_clock::time_point;

// An order as Shopify serializes it, plus the parsed times the queries sort and filter on.
struct stored_order {
  std::uint64_t id = 0;
  boost::json::object json;
  sys_time created_at{};
  sys_time updated_at{};
  sys_time processed_at{};
  std::optional<sys_time> cancelled_at;
  std::optional<sys_time> closed_at;
};

struct stored_customer {
  std::uint64_t id = 0;
  boost::json::object json;
};

// A single GraphQL query costing more is refused outright; Shopify's limit is the same on every
// plan.
inline constexpr double graphql_max_query_cost = 1000;

// shop.json's plan_name: the named plan whose limits the shop has, "custom" for any others.
inline std::string plan_name(const shopify::plan_limits& p) {
  for (const char* name : {"standard", "advanced", "plus"})
    if (shopify::plan_limits::named(name) == p) return name;
  return "custom";
}

// The buckets of one app (one access token) in one shop.
struct api_buckets {
  leaky_bucket rest;
  leaky_bucket graphql;
};

// Ids are global, as on Shopify, and start above 2^53 so that a client that turns them into
// doubles sees the wrong order come back.
struct id_counters {
  std::uint64_t order = 820982911946154508ull;
  std::uint64_t line_item = 466157049000000ull;
  std::uint64_t customer = 207119551000000ull;
  std::uint64_t subscription = 4759306000000ull;
  std::uint64_t shop = 548380009ull;
  std::uint64_t privacy_request = 9999ull;
};

struct shop_data {
  emulated_shop config;  // domain normalized to "<name>.myshopify.com"
  std::uint64_t shop_id = 0;
  bool installed = true;             // the shop's own app (emulated_shop::access_tokens)
  merchant_approval merchant;        // how the merchant answers the next install screens
  std::vector<stored_order> orders;  // ascending id (ids only grow)
  std::unordered_map<std::uint64_t, std::size_t> order_index;
  std::uint64_t next_order_number = 1001;
  std::map<std::string, stored_customer> customers;  // by lower-case email
  std::vector<webhook_subscription> subscriptions;
  std::map<std::string, api_buckets> buckets;  // by access token
  request_faults faults;

  stored_order* find_order(std::uint64_t id) {
    auto it = order_index.find(id);
    return it == order_index.end() ? nullptr : &orders[it->second];
  }
  const stored_order* find_order(std::uint64_t id) const {
    auto it = order_index.find(id);
    return it == order_index.end() ? nullptr : &orders[it->second];
  }
  // Orders are created with growing ids, so appending keeps `orders` sorted.
  stored_order& add_order(stored_order o) {
    order_index[o.id] = orders.size();
    orders.push_back(std::move(o));
    return orders.back();
  }
  stored_customer* find_customer(std::uint64_t id) {
    for (auto& [email, c] : customers)
      if (c.id == id) return &c;
    return nullptr;
  }
};

}  // namespace syncline::testing::detail
