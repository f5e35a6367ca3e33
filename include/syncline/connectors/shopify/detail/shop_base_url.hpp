// Where a shop's own endpoints are (/admin/oauth/authorize, /admin/oauth/access_token): one rule
// for the install URL and the token endpoint, so that a test points both at the emulator alike.
#pragma once

#include <string>
#include <string_view>

namespace syncline::shopify::detail {

// `base` empty: "https://{shop}", as on Shopify. Otherwise `base` with every "{shop}" replaced
// by the shop's domain (the emulator's "http://127.0.0.1:port/shops/{shop}"); a base without it
// is used for every shop as it is. No trailing '/'.
inline std::string shop_base_url(std::string_view base, std::string_view shop) {
  constexpr std::string_view placeholder = "{shop}";
  if (base.empty()) base = "https://{shop}";
  std::string out;
  for (std::size_t at; (at = base.find(placeholder)) != std::string_view::npos;) {
    out.append(base.substr(0, at)).append(shop);
    base.remove_prefix(at + placeholder.size());
  }
  out.append(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace syncline::shopify::detail
