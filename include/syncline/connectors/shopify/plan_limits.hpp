// shopify::plan_limits: the rate limits a shop's plan gives an app, per Shopify's published
// figures. REST is a leaky bucket counted in calls; GraphQL is a bucket of cost points. The
// connector's pacing starts from them and the emulator enforces them (one type for both, so a
// test's plan and the pacing it exercises cannot drift apart).
#pragma once

#include <boost/describe/class.hpp>

#include <optional>
#include <string_view>

namespace syncline::shopify {

// The connector's pacing follows Shopify's answers (the call-limit header, throttleStatus) as
// soon as the first answer comes, so a wrong plan there costs at most the first burst.
struct plan_limits {
  double rest_bucket = 40;                  // calls the REST bucket holds
  double rest_leak_per_second = 2;          // calls that drain from it per second
  double graphql_bucket = 2000;             // cost points (throttleStatus.maximumAvailable)
  double graphql_restore_per_second = 100;  // points restored per second (restoreRate)

  static plan_limits standard() { return {}; }
  static plan_limits advanced() { return {80, 4, 4000, 200}; }
  static plan_limits plus() { return {400, 20, 20000, 1000}; }

  // "standard" | "advanced" | "plus"; nullopt for any other name.
  static std::optional<plan_limits> named(std::string_view name) {
    if (name == "standard") return standard();
    if (name == "advanced") return advanced();
    if (name == "plus") return plus();
    return std::nullopt;
  }

  bool operator==(const plan_limits&) const = default;
};
BOOST_DESCRIBE_STRUCT(plan_limits, (),
                      (rest_bucket, rest_leak_per_second, graphql_bucket,
                       graphql_restore_per_second))

}  // namespace syncline::shopify
