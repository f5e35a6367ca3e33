// shopify::shop: the shop record, as GET shop.json and the app/uninstalled webhook send it. Only
// what identifies the shop is modelled; the decoder skips the many other fields.
#pragma once

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace syncline::shopify {

struct shop {
  std::int64_t id = 0;
  std::string name{};
  std::string myshopify_domain{};       // "acme.myshopify.com": the tenant key
  std::optional<std::string> domain{};  // the shop's primary domain (a custom one, if any)
  std::optional<std::string> email{};
  std::optional<std::string> currency{};
  std::optional<std::string> timezone{};
  std::optional<std::string> plan_name{};
  std::optional<std::string> admin_graphql_api_id{};  // "gid://shopify/Shop/<id>"

  bool operator==(const shop&) const = default;
};
BOOST_DESCRIBE_STRUCT(shop, (),
                      (id, name, myshopify_domain, domain, email, currency, timezone, plan_name,
                       admin_graphql_api_id))

}  // namespace syncline::shopify
