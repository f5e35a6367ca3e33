// testing::shopify_plan: the rate limits a shop's plan gives an app, per Shopify's published
// figures. REST is a leaky bucket counted in requests; GraphQL is a bucket of cost points.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace syncline::testing {

struct shopify_plan {
  std::string name = "standard";
  double rest_bucket_size = 40;             // requests the bucket holds
  double rest_leak_per_second = 2;          // requests that drain per second
  double graphql_bucket_size = 2000;        // throttleStatus.maximumAvailable
  double graphql_restore_per_second = 100;  // throttleStatus.restoreRate
  double graphql_max_query_cost = 1000;     // a single query costing more is refused outright

  static shopify_plan standard() { return {}; }
  static shopify_plan advanced() { return {"advanced", 80, 4, 4000, 200, 1000}; }
  static shopify_plan plus() { return {"plus", 400, 20, 20000, 1000, 1000}; }

  // "standard" | "advanced" | "plus"; nullopt for any other name.
  static std::optional<shopify_plan> named(std::string_view name) {
    if (name == "standard") return standard();
    if (name == "advanced") return advanced();
    if (name == "plus") return plus();
    return std::nullopt;
  }
};

}  // namespace syncline::testing
