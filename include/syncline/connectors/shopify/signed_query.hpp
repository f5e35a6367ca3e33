// shopify::verify_signed_query: a query string Shopify signed with the app's client secret —
// the OAuth redirect to your redirect_uri (`code`, `shop`, `state`, `timestamp`, `host`,
// `hmac`), and the URL Shopify opens an app with. Checked before anything in it is used:
//
//   auto q = shopify::verify_signed_query(request.query, app);  // result<signed_query>
//   if (!q) return answer_400_or_401(q.error());
//   // q->shop_domain is a checked {shop}.myshopify.com; q->get("code"), q->get("state")
//
// The signature: `hmac` removed, the other parameters percent-decoded, sorted by name, joined as
// name=value with '&' ('%' and '&' in values, and also '=' in names, escaped as %25, %26, %3D),
// HMAC-SHA256 with the client secret (or the previous one during a rotation), lower-case hex,
// compared in constant time. Then `shop` must be {shop}.myshopify.com. A query that cannot be
// read (a broken escape, a parameter given twice, no hmac, no shop) is errc::invalid_input; a
// signature that does not match, or a shop that is not a myshopify.com one, is
// errc::unauthorized. Checking `state` (single use, issued by you) and `timestamp` is the install
// flow's part.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/core/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

struct signed_query {
  std::string shop_domain{};  // from `shop`, lower case, checked
  // Every parameter but `hmac`, percent-decoded, sorted by name.
  std::vector<std::pair<std::string, std::string>> params{};

  std::optional<std::string_view> get(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return std::string_view(v);
    }
    return std::nullopt;
  }
};

// The hex HMAC-SHA256 Shopify puts in `hmac` for these parameters (any order; `hmac` itself
// skipped). Also what the emulator and tests sign redirects with.
SYNCLINE_DECL std::string signed_query_hmac(std::vector<std::pair<std::string, std::string>> params,
                                            std::string_view client_secret);

// `raw_query` as it arrived, without the '?'.
SYNCLINE_DECL result<signed_query> verify_signed_query(std::string_view raw_query,
                                                       const app_credentials& app);

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/signed_query.ipp>
#endif
