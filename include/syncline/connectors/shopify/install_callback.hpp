// shopify::verify_install_callback: the redirect Shopify sends the merchant back with after the
// install screen (to the redirect_uri of shopify::install_url), checked before its code is
// exchanged for a token:
//
//   auto cb = shopify::verify_install_callback(request.query, app, clock.now());
//   if (!cb) return answer_400_or_401(cb.error());  // never quotes the code or the hmac
//   if (!take_state(cb->shop, cb->state)) return answer_401();  // single use: the caller's store
//   auto token = co_await tokens.exchange_code(cb->shop, cb->code);
//
// Checked: the signature (shopify::verify_signed_query: hmac with the client secret, or the
// previous one during a rotation; a parameter given twice is refused), the shop a
// {shop}.myshopify.com, code and state present, and the timestamp neither older than `max_age`
// nor more than a minute ahead of `now` (so a redirect captured in a log or a browser history is
// worth nothing later). A query that cannot be read or lacks a parameter is errc::invalid_input;
// a bad signature, a foreign shop or a stale timestamp is errc::unauthorized.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace syncline::shopify {

struct install_callback {
  std::string shop{};   // "acme.myshopify.com", checked
  std::string code{};   // the authorization code: single use, minutes long; exchange it at once
  std::string state{};  // the nonce install_url sent: the caller checks it is one it issued
  std::string host{};   // base64 of the shop's admin host (for an embedded app); may be empty
};

// How far ahead of this host's clock a redirect's timestamp may be (clock skew).
inline constexpr std::chrono::seconds install_callback_skew{60};

// `raw_query`: the redirect's query as it arrived (a leading '?' is skipped).
SYNCLINE_DECL result<install_callback> verify_install_callback(
    std::string_view raw_query, const app_credentials& app,
    std::chrono::system_clock::time_point now,
    std::chrono::seconds max_age = std::chrono::hours(1));

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/install_callback.ipp>
#endif
