// When and how long to wait before trying a request again: exponential backoff with full
// jitter, capped in attempts and in total time, overridden by the server's Retry-After.
#pragma once

#include <syncline/config.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace syncline::http {

struct retry_policy {
  int max_attempts = 4;                            // first try included; 1 disables retries
  std::chrono::milliseconds initial_backoff{200};  // the cap of the first jittered wait
  std::chrono::milliseconds max_backoff{10'000};   // the cap never grows past this
  std::chrono::milliseconds max_elapsed{60'000};   // all attempts and waits of one call
  std::vector<unsigned> retry_statuses{429, 502, 503, 504};
  bool honour_retry_after = true;

  static retry_policy none() {
    retry_policy p;
    p.max_attempts = 1;
    return p;
  }

  bool retries_status(unsigned status) const {
    return std::find(retry_statuses.begin(), retry_statuses.end(), status) != retry_statuses.end();
  }

  // "Full jitter" (AWS architecture blog, 2015): a uniform wait in [0, min(max, initial*2^n)]
  // for the n-th retry (n = 0 for the first). Spreads retrying clients apart instead of letting
  // them arrive together.
  template <class Rng>
  std::chrono::milliseconds backoff(int retry_index, Rng& rng) const {
    const double cap_ms = std::min(static_cast<double>(max_backoff.count()),
                                   static_cast<double>(initial_backoff.count()) *
                                       std::ldexp(1.0, std::clamp(retry_index, 0, 60)));
    if (cap_ms <= 0) return std::chrono::milliseconds{0};
    std::uniform_real_distribution<double> pick(0.0, cap_ms);
    return std::chrono::milliseconds{static_cast<std::int64_t>(pick(rng))};
  }
};

// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and the two
// obsolete forms recipients must still accept, RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and
// asctime "Sun Nov  6 08:49:37 1994".
SYNCLINE_DECL std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

// Retry-After is "delay-seconds" or an HTTP-date (RFC 9110 §10.2.3). Shopify sends a decimal
// ("2.0"), so fractions are accepted. A date in the past means "now" (zero). nullopt when the
// value is neither.
SYNCLINE_DECL std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/retry_policy.ipp>
#endif
