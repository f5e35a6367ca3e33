// The bodies of <syncline/http/data_stream_signature.hpp>.
#pragma once

#include <syncline/http/data_stream_signature.hpp>
#include <syncline/http/hmac.hpp>

#include <charconv>
#include <cstdint>
#include <system_error>

namespace syncline::data_stream {

SYNCLINE_DECL std::string sign(const secret& signing_secret, std::string_view timestamp,
                               std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  std::string out(signature_version);
  out += http::hex_encode(http::hmac_sha256(signing_secret.reveal(), message));
  return out;
}

SYNCLINE_DECL std::string timestamp_value(std::chrono::system_clock::time_point at) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

SYNCLINE_DECL result<void> verifier::verify(std::string_view body, std::string_view signature,
                                            std::string_view timestamp,
                                            std::chrono::system_clock::time_point now) const {
  if (signature.empty()) return refuse(std::string(signature_header) + " header is missing");
  if (timestamp.empty()) return refuse(std::string(timestamp_header) + " header is missing");
  std::int64_t sent = 0;
  const auto [end, ec] =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent);
  if (ec != std::errc{} || end != timestamp.data() + timestamp.size()) {
    return refuse(std::string(timestamp_header) + " is not a Unix time in whole seconds: '" +
                  printable(timestamp) + "'");
  }
  const std::int64_t at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t age = at - sent;
  if (age > options_.tolerance.count()) {
    return refuse("the delivery was signed " + std::to_string(age) +
                  " s ago, more than the tolerance of " +
                  std::to_string(options_.tolerance.count()) + " s: a replay, or a clock far off");
  }
  if (-age > options_.tolerance.count()) {
    return refuse("the delivery's timestamp is " + std::to_string(-age) +
                  " s in the future, more than the tolerance of " +
                  std::to_string(options_.tolerance.count()) + " s: check the clocks");
  }
  if (!signature.starts_with(signature_version)) {
    return refuse(std::string(signature_header) + " does not start with '" +
                  std::string(signature_version) + "' (unknown signature scheme)");
  }
  // Both secrets are always tried, so timing does not tell which one matched.
  bool match = http::constant_time_equal(sign(current_, timestamp, body), signature);
  if (previous_) match |= http::constant_time_equal(sign(*previous_, timestamp, body), signature);
  if (!match) {
    return refuse(
        "signature mismatch: the body or timestamp was altered, or it was signed "
        "with another secret");
  }
  return {};
}

SYNCLINE_DECL ::syncline::error verifier::refuse(std::string why) {
  return make_error(errc::unauthorized, "data stream delivery rejected: " + std::move(why));
}

SYNCLINE_DECL std::string verifier::printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

}  // namespace syncline::data_stream
