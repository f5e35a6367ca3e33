// syncline::http::request_retry: when and how long the HTTP client waits before sending one
// request again: exponential backoff with full jitter, capped in attempts and in total time,
// overridden by the server's Retry-After. (A run's retries are syncline::retry_policy.)
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/backoff.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace syncline::http {

struct request_retry {
  int max_attempts = 4;                            // first try included; 1 disables retries
  std::chrono::milliseconds initial_backoff{200};  // the cap of the first jittered wait
  std::chrono::milliseconds max_backoff{10'000};   // the cap never grows past this
  std::chrono::milliseconds max_elapsed{60'000};   // all attempts and waits of one call
  std::vector<unsigned> retry_statuses{429, 502, 503, 504};
  bool honour_retry_after = true;

  static request_retry none() {
    request_retry p;
    p.max_attempts = 1;
    return p;
  }

  bool retries_status(unsigned status) const {
    return std::find(retry_statuses.begin(), retry_statuses.end(), status) != retry_statuses.end();
  }

  // The wait before the n-th retry (n = 0 for the first): core/backoff.hpp's full jitter.
  template <class Rng>
  std::chrono::milliseconds backoff(int retry_index, Rng& rng) const {
    return full_jitter_backoff(initial_backoff, max_backoff, retry_index, rng);
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
#include <syncline/http/impl/request_retry.ipp>
#endif
