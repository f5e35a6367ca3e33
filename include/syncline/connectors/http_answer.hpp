// What an HTTP answer to a write means for the run: done, an error a later attempt may get past
// (the runtime retries it), or one it will not (the run fails with the reason). One mapping for
// every connector that writes over HTTP (data stream, BigQuery, Snowflake).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/message.hpp>

#include <string>
#include <string_view>

namespace syncline::connectors {

// errc for a non-2xx status: 408/429/5xx are transient, the other 4xx are not.
constexpr errc status_category(unsigned status) noexcept {
  switch (status) {
    case 408: return errc::timeout;
    case 429: return errc::rate_limited;
    case 401:
    case 403: return errc::unauthorized;
    case 404: return errc::not_found;
    case 409: return errc::conflict;
    case 413: return errc::body_too_large;
    default: return status >= 500 && status <= 599 ? errc::unavailable : errc::http_status;
  }
}

// The start of an answer's body for a message: printable ASCII only, at most `max` bytes.
// A connector does not know the secrets an answer may echo, so it cannot scrub before it cuts;
// the engine's redactor scrubs what a cut leaves of a secret (a long prefix or suffix, wherever
// it sits), see runtime/redactor.hpp.
inline std::string body_excerpt(std::string_view body, std::size_t max = 300) {
  std::string out;
  for (char c : body.substr(0, max)) out += (c >= 0x20 && c < 0x7F) ? c : ' ';
  if (body.size() > max) out += "...";
  return out;
}

// `what` names the call for a person, e.g. `data stream "orders" (POST https://app/hooks)`; it
// must not hold a secret (use http::url::redacted()).
inline result<void> answer_to_result(const http::response& res, std::string_view what) {
  const unsigned status = res.result_int();
  if (status >= 200 && status <= 299) return {};
  std::string message(what);
  message += " answered ";
  message += std::to_string(status);
  if (!res.reason().empty()) {
    message += ' ';
    message.append(res.reason().data(), res.reason().size());
  }
  if (!res.body().empty()) message += ": " + body_excerpt(res.body());
  return make_error(status_category(status), std::move(message), static_cast<int>(status));
}

}  // namespace syncline::connectors
