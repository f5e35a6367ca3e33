// The bodies of <syncline/connectors/shopify/install_callback.hpp>. Compiled once in separate
// mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/install_callback.hpp>
#include <syncline/connectors/shopify/signed_query.hpp>

#include <charconv>
#include <cstdint>
#include <system_error>

namespace syncline::shopify {

SYNCLINE_DECL result<install_callback> verify_install_callback(
    std::string_view raw_query, const app_credentials& app,
    std::chrono::system_clock::time_point now, std::chrono::seconds max_age) {
  if (raw_query.starts_with('?')) raw_query.remove_prefix(1);
  // The signature before anything in the query is trusted.
  auto q = verify_signed_query(raw_query, app);
  if (!q) {
    return make_error(q.error().category, "Shopify install callback: " + q.error().message);
  }
  const std::string where = "Shopify install callback of " + q->shop_domain;
  const auto missing = [&](std::string_view name) {
    return make_error(errc::invalid_input, where + ": no " + std::string(name) + " parameter");
  };
  const auto code = q->get("code");
  if (!code || code->empty()) return missing("code");
  const auto state = q->get("state");
  if (!state || state->empty()) return missing("state");
  const auto stamp = q->get("timestamp");
  if (!stamp || stamp->empty()) return missing("timestamp");

  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(stamp->data(), stamp->data() + stamp->size(), seconds);
  // Up to the year 9999: a larger number would overflow the clock's nanoseconds.
  if (ec != std::errc{} || end != stamp->data() + stamp->size() || seconds < 0 ||
      seconds > 253'402'300'799) {
    return make_error(errc::invalid_input,
                      where + ": timestamp is not a number of seconds since 1970");
  }
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - at);
  if (age > max_age) {
    return make_error(errc::unauthorized, where + ": refused, its timestamp is " +
                                              std::to_string(age.count()) + " s old (at most " +
                                              std::to_string(max_age.count()) + " s)");
  }
  if (-age > install_callback_skew) {
    return make_error(errc::unauthorized,
                      where + ": refused, its timestamp is " + std::to_string(-age.count()) +
                          " s ahead of this host's clock (at most " +
                          std::to_string(install_callback_skew.count()) + " s)");
  }
  install_callback cb;
  cb.shop = q->shop_domain;
  cb.code = std::string(*code);
  cb.state = std::string(*state);
  if (const auto host = q->get("host")) cb.host = std::string(*host);
  return cb;
}

}  // namespace syncline::shopify
