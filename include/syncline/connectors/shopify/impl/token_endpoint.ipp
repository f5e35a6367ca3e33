// The bodies of <syncline/connectors/shopify/token_endpoint.hpp>. Compiled once in separate mode
// (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/http_answer.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/detail/shop_base_url.hpp>
#include <syncline/connectors/shopify/detail/shop_domain.hpp>
#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/core/secret_scrubber.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/detail/quote.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <utility>

namespace syncline::shopify {

namespace detail {

inline constexpr std::string_view token_grant_code = "code grant";
inline constexpr std::string_view token_grant_refresh = "refresh";
inline constexpr std::string_view token_grant_exchange = "token exchange";

// "Shopify token endpoint of acme.myshopify.com (refresh)": names the call in every error.
inline std::string token_call(std::string_view shop, std::string_view what) {
  return "Shopify token endpoint of " + std::string(shop) + " (" + std::string(what) + ")";
}

inline result<std::string> token_shop(std::string_view shop, std::string_view what) {
  auto domain = checked_shop_domain(credentials::normalize_shop_domain(shop));
  if (!domain) {
    return make_error(errc::invalid_input, "Shopify token endpoint (" + std::string(what) +
                                               "): shop " + json::detail::quoted(shop, 64) +
                                               " is not {shop}.myshopify.com");
  }
  return std::move(*domain);
}

// A string member of an answer, or nullopt.
inline std::optional<std::string_view> answer_text(const boost::json::object& o,
                                                   std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

// A number of seconds (Shopify sends integers; a double is read too), or nullopt.
inline std::optional<std::int64_t> answer_seconds(const boost::json::object& o,
                                                  std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= 10'000'000'000ull)
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && v->get_double() >= 0 && v->get_double() <= 1e10)
    return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace detail

SYNCLINE_DECL token_endpoint::token_endpoint(http::client& client, app_credentials app,
                                             token_endpoint_options options)
    : client_(&client), app_(std::move(app)), options_(std::move(options)) {}

SYNCLINE_DECL std::chrono::system_clock::time_point token_endpoint::now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> token_endpoint::exchange_code(
    std::string shop, std::string code) {
  const std::string_view what = detail::token_grant_code;
  if (code.empty()) {
    co_return make_error(errc::invalid_input,
                         "Shopify token endpoint (" + std::string(what) + "): the code is empty");
  }
  std::string grant = "code=" + http::percent_encode(code);
  // Named, not a braced list: g++ 12 rejects one as an argument inside co_await.
  std::vector<std::string> sent{std::move(code)};
  co_return co_await post(std::move(shop), what, std::move(grant), std::move(sent), false);
}

SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> token_endpoint::refresh(
    std::string shop, secret refresh_token) {
  const std::string_view what = detail::token_grant_refresh;
  if (refresh_token.empty()) {
    co_return make_error(errc::invalid_input,
                         "Shopify token endpoint (" + std::string(what) +
                             "): the refresh token is empty (a non-expiring token has none)");
  }
  std::string grant =
      "grant_type=refresh_token&refresh_token=" + http::percent_encode(refresh_token.reveal());
  std::vector<std::string> sent{std::string(refresh_token.reveal())};
  // Shopify keeps this refresh token valid until the pair it answers is used, so asking again
  // after a lost answer gets a pair instead of an error.
  co_return co_await post(std::move(shop), what, std::move(grant), std::move(sent), true);
}

SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> token_endpoint::exchange_session_token(
    std::string shop, std::string session_token) {
  const std::string_view what = detail::token_grant_exchange;
  auto domain = detail::token_shop(shop, what);
  if (!domain) co_return domain.error();
  // Checked here first: a forged or stale token never reaches Shopify, and its error says which
  // check failed rather than Shopify's generic invalid_subject_token.
  auto claims = verify_session_token(session_token, app_, now());
  if (!claims) {
    co_return make_error(claims.error().category,
                         detail::token_call(*domain, what) + ": " + claims.error().message);
  }
  if (claims->shop_domain != *domain) {
    co_return make_error(errc::unauthorized, detail::token_call(*domain, what) +
                                                 ": the session token is for another shop (" +
                                                 claims->shop_domain + ")");
  }
  std::string grant =
      "grant_type=" + http::percent_encode("urn:ietf:params:oauth:grant-type:token-exchange") +
      "&subject_token=" + http::percent_encode(session_token) +
      "&subject_token_type=" + http::percent_encode("urn:ietf:params:oauth:token-type:id_token") +
      "&requested_token_type=" +
      http::percent_encode("urn:shopify:params:oauth:token-type:offline-access-token");
  std::vector<std::string> sent{std::move(session_token)};
  co_return co_await post(std::move(*domain), what, std::move(grant), std::move(sent), false);
}

SYNCLINE_DECL boost::asio::awaitable<result<offline_token>> token_endpoint::post(
    std::string shop, std::string_view what, std::string grant, std::vector<std::string> sent,
    bool repeatable) {
  auto domain = detail::token_shop(shop, what);
  if (!domain) co_return domain.error();
  const std::string call = detail::token_call(*domain, what);
  if (app_.client_id.empty() || app_.client_secret.empty()) {
    co_return make_error(errc::invalid_input,
                         call + ": shopify::app_credentials needs the client id and secret");
  }
  sent.emplace_back(app_.client_secret.reveal());
  if (!app_.previous_client_secret.empty()) sent.emplace_back(app_.previous_client_secret.reveal());
  // What Shopify echoes of what was sent (a description quoting the code, a proxy's error page
  // quoting the form) must not reach a message: the scrubber takes those out, fragments too.
  const secret_scrubber scrub(std::move(sent));

  std::string form = "client_id=" + http::percent_encode(app_.client_id) +
                     "&client_secret=" + http::percent_encode(app_.client_secret.reveal()) + "&" +
                     grant;
  if (options_.expiring) form += "&expiring=1";
  http::fields headers;
  headers.set(http::field::content_type, "application/x-www-form-urlencoded");
  headers.set(http::field::accept, "application/json");
  const std::string url =
      detail::shop_base_url(options_.base_url, *domain) + "/admin/oauth/access_token";
  const auto sent_at = now();
  auto answer = co_await client_->post(url, std::move(form), std::move(headers),
                                       {.timeout = options_.timeout, .retry_unsafe = repeatable});
  if (!answer) {
    const errc c =
        answer.error().category == errc::invalid_input ? errc::invalid_input : errc::unavailable;
    co_return make_error(
        c, scrub(call + ": no answer (" + std::string(to_string(answer.error().category)) +
                 "): " + answer.error().message));
  }
  const unsigned status = answer->result_int();
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(answer->body(), ec);
  const boost::json::object* object = !ec && body.is_object() ? &body.as_object() : nullptr;

  if (status < 200 || status > 299) {
    std::string why = std::to_string(status);
    if (object != nullptr && detail::answer_text(*object, "error")) {
      why += " " + json::detail::quoted(*detail::answer_text(*object, "error"), 64);
      if (auto d = detail::answer_text(*object, "error_description"))
        why += ": " + json::detail::quoted(*d, 300);
    } else if (!answer->body().empty()) {
      why += ": " + connectors::body_excerpt(answer->body());
    }
    const bool refused = status >= 400 && status <= 499 && status != 408 && status != 429;
    if (refused) {
      co_return make_error(errc::unauthorized, scrub(call + ": Shopify refused, " + why),
                           static_cast<int>(status));
    }
    if (status >= 500 || status == 408 || status == 429) {
      co_return make_error(errc::unavailable, scrub(call + ": Shopify failed, " + why),
                           static_cast<int>(status));
    }
    co_return make_error(errc::decode, scrub(call + ": unexpected answer " + why),
                         static_cast<int>(status));
  }
  // A 2xx body holds tokens: it is never quoted, not even cut.
  if (object == nullptr) {
    co_return make_error(errc::decode, call + ": the answer is not a JSON object (" +
                                           std::to_string(answer->body().size()) + " bytes)");
  }
  const auto access = detail::answer_text(*object, "access_token");
  if (!access || access->empty()) {
    co_return make_error(errc::decode, call + ": the answer has no access_token");
  }
  const auto scope = detail::answer_text(*object, "scope");
  if (!scope) co_return make_error(errc::decode, call + ": the answer has no scope");

  offline_token token;
  token.access_token = secret{std::string(*access)};
  token.scope = std::string(*scope);
  if (auto r = detail::answer_text(*object, "refresh_token")) {
    token.refresh_token = secret{std::string(*r)};
  }
  // Counted from when the call was sent: the token cannot have been issued earlier, so the
  // expiry this gives is never later than Shopify's.
  if (auto s = detail::answer_seconds(*object, "expires_in")) {
    token.expires_at = sent_at + std::chrono::seconds(*s);
  }
  if (auto s = detail::answer_seconds(*object, "refresh_token_expires_in")) {
    token.refresh_token_expires_at = sent_at + std::chrono::seconds(*s);
  }
  if (token.expires_at && token.refresh_token.empty()) {
    co_return make_error(errc::decode,
                         call +
                             ": the answer has expires_in but no refresh_token: the token "
                             "could not be renewed");
  }
  co_return token;
}

}  // namespace syncline::shopify
