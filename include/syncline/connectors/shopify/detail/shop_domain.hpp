// The shop named by something Shopify signed (a session token's dest, a redirect's `shop`),
// checked before anything uses it: it becomes a tenant key and the host of API calls.
#pragma once

#include <syncline/connectors/shopify/webhook_metadata.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace syncline::shopify::detail {

// "ACME.myshopify.com" -> "acme.myshopify.com" (Shopify's own check is case-insensitive);
// nullopt for anything that is not {shop}.myshopify.com (a custom domain, a path, a port).
inline std::optional<std::string> checked_shop_domain(std::string_view domain) {
  std::string d(domain);
  for (char& c : d) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!webhook_metadata::is_shop_domain(d)) return std::nullopt;
  return d;
}

}  // namespace syncline::shopify::detail
