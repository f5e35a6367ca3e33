// The bodies of <syncline/connectors/shopify/signed_query.hpp>. Compiled once in separate mode
// (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/detail/shop_domain.hpp>
#include <syncline/connectors/shopify/signed_query.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/detail/quote.hpp>

#include <algorithm>

namespace syncline::shopify {

namespace detail {

// Shopify's escaping of the signed message: '%' and '&' (and '=' in names) so that the joined
// text reads back as the same pairs.
inline void append_escaped(std::string& out, std::string_view text, bool is_name) {
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '&')
      out += "%26";
    else if (c == '=' && is_name)
      out += "%3D";
    else
      out += c;
  }
}

inline constexpr std::string_view hmac_param = "hmac";

}  // namespace detail

SYNCLINE_DECL std::string signed_query_hmac(std::vector<std::pair<std::string, std::string>> params,
                                            std::string_view client_secret) {
  std::sort(params.begin(), params.end());
  std::string message;
  for (const auto& [name, value] : params) {
    if (name == detail::hmac_param) continue;
    if (!message.empty()) message += '&';
    detail::append_escaped(message, name, true);
    message += '=';
    detail::append_escaped(message, value, false);
  }
  return http::hex_encode(http::hmac_sha256(client_secret, message));
}

SYNCLINE_DECL result<signed_query> verify_signed_query(std::string_view raw_query,
                                                       const app_credentials& app) {
  using json::detail::quoted;
  const auto unreadable = [](std::string what) {
    return make_error(errc::invalid_input, "Shopify signed query: " + std::move(what));
  };
  if (app.client_secret.empty() && app.previous_client_secret.empty()) {
    return make_error(errc::invalid_input,
                      "shopify::app_credentials has no client secret: a signed query cannot be "
                      "checked");
  }
  signed_query q;
  std::optional<std::string> hmac;
  for (std::size_t pos = 0; pos < raw_query.size();) {
    const std::size_t end = std::min(raw_query.find('&', pos), raw_query.size());
    const std::string_view pair = raw_query.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = http::percent_decode(pair.substr(0, eq), true);
    auto value = http::percent_decode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) {
      return unreadable("a broken %-escape in " + quoted(pair.substr(0, eq), 32));
    }
    const bool seen = *name == detail::hmac_param
                          ? hmac.has_value()
                          : std::any_of(q.params.begin(), q.params.end(),
                                        [&](const auto& p) { return p.first == *name; });
    // Two values for one name would let the signed text and what the app reads differ.
    if (seen) return unreadable("parameter " + quoted(*name, 32) + " is given twice");
    if (*name == detail::hmac_param) {
      hmac = std::move(*value);
    } else {
      q.params.emplace_back(std::move(*name), std::move(*value));
    }
  }
  if (!hmac) return unreadable("no hmac parameter");
  std::sort(q.params.begin(), q.params.end());

  bool valid = false;
  for (const secret* s : {&app.client_secret, &app.previous_client_secret}) {
    if (s->empty()) continue;
    valid = valid |  // not ||: check both
            http::constant_time_equal(signed_query_hmac(q.params, s->reveal()), *hmac);
  }
  if (!valid) {
    return make_error(errc::unauthorized,
                      "Shopify signed query refused: hmac does not match the parameters signed "
                      "with the app's client secret");
  }
  const auto shop = q.get("shop");
  if (!shop) return unreadable("no shop parameter");
  auto domain = detail::checked_shop_domain(*shop);
  if (!domain) {
    return make_error(errc::unauthorized, "Shopify signed query refused: shop " +
                                              quoted(*shop, 64) + " is not {shop}.myshopify.com");
  }
  q.shop_domain = std::move(*domain);
  return q;
}

}  // namespace syncline::shopify
