// The bodies of <syncline/connectors/shopify/install_url.hpp>. Compiled once in separate mode
// (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/access_scopes.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/detail/shop_base_url.hpp>
#include <syncline/connectors/shopify/detail/shop_domain.hpp>
#include <syncline/connectors/shopify/install_url.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/detail/quote.hpp>

namespace syncline::shopify {

SYNCLINE_DECL result<std::string> install_url(std::string_view shop, std::string_view client_id,
                                              std::span<const std::string_view> scopes,
                                              std::string_view redirect_uri, std::string_view state,
                                              std::string_view authorize_base) {
  using json::detail::quoted;
  const auto refused = [](std::string why) {
    return make_error(errc::invalid_input, "shopify::install_url: " + std::move(why));
  };
  auto domain = detail::checked_shop_domain(credentials::normalize_shop_domain(shop));
  if (!domain) return refused("shop " + quoted(shop, 64) + " is not {shop}.myshopify.com");
  if (client_id.empty()) return refused("the app's client id is empty");
  if (state.empty()) return refused("state is empty: the callback could not be tied to this URL");
  for (std::string_view s : scopes) {
    if (!is_access_scope(s)) {
      return refused("scope " + quoted(s, 64) +
                     " is not read_<resource>, write_<resource> or unauthenticated_<...>");
    }
  }
  auto redirect = http::parse_url(redirect_uri);
  if (!redirect) {
    return refused("redirect_uri is not an absolute http(s) URL: " + redirect.error().message);
  }
  std::string url = detail::shop_base_url(authorize_base, *domain);
  url += "/admin/oauth/authorize?client_id=" + http::percent_encode(client_id);
  url += "&scope=" + http::percent_encode(join_scopes(scopes));
  url += "&redirect_uri=" + http::percent_encode(redirect_uri);
  url += "&state=" + http::percent_encode(state);
  return url;
}

}  // namespace syncline::shopify
