// shopify::install_url: where to send a merchant to install the app in their shop (Shopify's
// authorization code grant). Shopify shows the install screen for these scopes, then redirects
// to `redirect_uri` with a code that shopify::verify_install_callback checks:
//
//   auto url = shopify::install_url(shop, app.client_id, shopify::access_scopes_of<I>(),
//                                   "https://app.example/auth/callback", state);
//   if (!url) return answer_400(url.error());
//   return redirect_302(*url);
//
// https://{shop}/admin/oauth/authorize?client_id=..&scope=..&redirect_uri=..&state=.., every
// value percent-encoded. `state` is the caller's single-use nonce (the callback must bring it
// back). Offline access (no grant_options[]=per-user): the token belongs to the shop, not to
// the staff member who installed.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>

#include <span>
#include <string>
#include <string_view>

namespace syncline::shopify {

// `shop`: "acme" or "acme.myshopify.com" (any case); anything else is errc::invalid_input, as are
// an empty client id or state, a malformed scope (shopify::is_access_scope) and a redirect_uri
// that is not an absolute http(s) URL. `authorize_base` empty = "https://{shop}"; otherwise
// "{shop}" in it is replaced by the shop's domain (tests: the emulator's url() + "/shops/{shop}").
SYNCLINE_DECL result<std::string> install_url(std::string_view shop, std::string_view client_id,
                                              std::span<const std::string_view> scopes,
                                              std::string_view redirect_uri, std::string_view state,
                                              std::string_view authorize_base = {});

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/install_url.ipp>
#endif
