// The bodies of <syncline/connectors/shopify/session_token.hpp>. Compiled once in separate mode
// (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/detail/shop_domain.hpp>
#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/json/parse.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace syncline::shopify {

namespace detail {

inline error malformed_token(std::string what) {
  return make_error(errc::invalid_input, "Shopify session token is malformed: " + std::move(what));
}

inline error refused_token(std::string what) {
  return make_error(errc::unauthorized, "Shopify session token refused: " + std::move(what));
}

// A base64url part holding a JSON object; `part` names it in the error.
inline result<boost::json::object> token_part(std::string_view text, std::string_view part) {
  auto bytes = http::base64url_decode(text);
  if (!bytes) return malformed_token(std::string(part) + " is not base64url");
  auto value = json::parse(*bytes);
  if (!value || !value->is_object()) {
    return malformed_token(std::string(part) + " is not a JSON object");
  }
  return std::move(value->as_object());
}

// A string claim: nullopt when absent; an error when present and not a string.
inline result<std::optional<std::string>> string_claim(const boost::json::object& claims,
                                                       std::string_view name) {
  const boost::json::value* v = claims.if_contains(name);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string())
    return malformed_token("claim \"" + std::string(name) + "\" is not a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

// A NumericDate claim (seconds since the epoch), required.
inline result<std::chrono::system_clock::time_point> time_claim(const boost::json::object& claims,
                                                                std::string_view name) {
  const boost::json::value* v = claims.if_contains(name);
  boost::system::error_code ec;
  const std::int64_t seconds = v ? v->to_number<std::int64_t>(ec) : 0;
  if (!v || ec) {
    return malformed_token("claim \"" + std::string(name) +
                           "\" is missing or not a whole number of seconds");
  }
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

inline std::string time_text(std::chrono::system_clock::time_point t) {
  return std::string(
      timestamp::from_time_point(std::chrono::time_point_cast<std::chrono::seconds>(t)).text());
}

// aud is a string or an array of strings (RFC 7519 section 4.1.3).
inline bool audience_has(const boost::json::value* aud, std::string_view client_id) {
  if (!aud) return false;
  if (aud->is_string()) return aud->as_string() == client_id;
  if (!aud->is_array()) return false;
  for (const auto& a : aud->as_array()) {
    if (a.is_string() && a.as_string() == client_id) return true;
  }
  return false;
}

}  // namespace detail

SYNCLINE_DECL result<session_token_claims> verify_session_token(
    std::string_view token, const app_credentials& app, std::chrono::system_clock::time_point now,
    std::chrono::seconds leeway) {
  using json::detail::quoted;
  if (app.client_id.empty()) {
    return make_error(errc::invalid_input,
                      "shopify::app_credentials has no client_id: a session token's aud cannot be "
                      "checked");
  }
  if (app.client_secret.empty() && app.previous_client_secret.empty()) {
    return make_error(errc::invalid_input,
                      "shopify::app_credentials has no client secret: a session token's "
                      "signature cannot be checked");
  }
  if (token.size() > max_session_token_size) {
    return detail::malformed_token(std::to_string(token.size()) + " bytes, at most " +
                                   std::to_string(max_session_token_size) + " expected");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return detail::malformed_token("expected three base64url parts separated by '.'");
  }

  auto header = detail::token_part(token.substr(0, dot1), "its header");
  if (!header) return std::move(header).error();
  // Only HS256: a token that names another algorithm ("none", RS256) is never checked with it.
  const boost::json::value* alg = header->if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256") {
    const std::string named = alg && alg->is_string()
                                  ? "alg " + quoted(std::string_view(alg->as_string()), 16)
                                  : std::string("no alg");
    return detail::refused_token(named + ", expected HS256");
  }

  auto signature = http::base64url_decode(token.substr(dot2 + 1));
  if (!signature) return detail::malformed_token("its signature is not base64url");
  const std::string_view signed_part = token.substr(0, dot2);
  bool valid = false;
  for (const secret* s : {&app.client_secret, &app.previous_client_secret}) {
    if (s->empty()) continue;
    const auto mac = http::hmac_sha256(s->reveal(), signed_part);
    const std::string_view expected(reinterpret_cast<const char*>(mac.data()), mac.size());
    valid = valid | http::constant_time_equal(expected, *signature);  // not ||: check both
  }
  if (!valid) {
    return detail::refused_token("bad signature: not signed with the app's client secret");
  }

  auto claims = detail::token_part(token.substr(dot1 + 1, dot2 - dot1 - 1), "its payload");
  if (!claims) return std::move(claims).error();
  auto exp = detail::time_claim(*claims, "exp");
  if (!exp) return std::move(exp).error();
  auto nbf = detail::time_claim(*claims, "nbf");
  if (!nbf) return std::move(nbf).error();
  auto dest = detail::string_claim(*claims, "dest");
  if (!dest) return std::move(dest).error();
  auto iss = detail::string_claim(*claims, "iss");
  if (!iss) return std::move(iss).error();
  auto sub = detail::string_claim(*claims, "sub");
  if (!sub) return std::move(sub).error();
  auto sid = detail::string_claim(*claims, "sid");
  if (!sid) return std::move(sid).error();
  auto jti = detail::string_claim(*claims, "jti");
  if (!jti) return std::move(jti).error();

  const std::string skew =
      " (now " + detail::time_text(now) + ", leeway " + std::to_string(leeway.count()) + " s)";
  if (now >= *exp + leeway) {
    return detail::refused_token("expired at " + detail::time_text(*exp) + skew);
  }
  if (now + leeway < *nbf) {
    return detail::refused_token("not valid before " + detail::time_text(*nbf) + skew);
  }
  if (!detail::audience_has(claims->if_contains("aud"), app.client_id)) {
    return detail::refused_token("aud is not this app's client id " + quoted(app.client_id, 64) +
                                 ": a token of another app");
  }
  constexpr std::string_view https = "https://";
  const std::string dest_text = dest->value_or("");
  std::optional<std::string> shop;
  if (dest_text.starts_with(https)) {
    shop = detail::checked_shop_domain(std::string_view(dest_text).substr(https.size()));
  }
  if (!shop) {
    return detail::refused_token("dest " + quoted(dest_text, 64) +
                                 " is not https://{shop}.myshopify.com");
  }
  if (iss->value_or("") != dest_text + "/admin") {
    return detail::refused_token("iss " + quoted(iss->value_or(""), 80) + " is not dest " +
                                 quoted(dest_text, 64) + " + \"/admin\"");
  }
  return session_token_claims{.shop_domain = std::move(*shop),
                              .user = sub->value_or(""),
                              .session = sid->value_or(""),
                              .token_id = jti->value_or(""),
                              .expires_at = *exp,
                              .not_before = *nbf};
}

}  // namespace syncline::shopify
