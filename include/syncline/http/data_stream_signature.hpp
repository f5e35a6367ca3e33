// The data stream's signature scheme, for both ends: syncline signs every POST to your
// application, and your application verifies it with data_stream::verifier. This header needs
// only OpenSSL, so a receiving service can include it without the HTTP client. It lives in
// http/ because both layers use it: the data stream connector signs with it, and the runtime's
// POST /events endpoint verifies app events with it (the runtime does not depend on connectors).
//
// Scheme v1 (all header names case-insensitive):
//   X-Syncline-Timestamp: <Unix time in whole seconds, decimal>
//   X-Syncline-Signature: v1=<lowercase hex of HMAC-SHA256(key = signing secret,
//                                                          message = timestamp + "." + body)>
// Signing the timestamp with the body means an old delivery cannot be replayed with a fresh
// timestamp; the verifier rejects timestamps outside a tolerance window (5 minutes by default).
// Within the window, dedupe on X-Syncline-Idempotency-Key (one per run and destination).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/http/hmac.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace syncline::data_stream {

inline constexpr std::string_view signature_header = "X-Syncline-Signature";
inline constexpr std::string_view timestamp_header = "X-Syncline-Timestamp";
inline constexpr std::string_view idempotency_key_header = "X-Syncline-Idempotency-Key";
inline constexpr std::string_view tenant_header = "X-Syncline-Tenant";
inline constexpr std::string_view stream_header = "X-Syncline-Stream";
inline constexpr std::string_view signature_version = "v1=";

// The X-Syncline-Signature value for `body` sent at `timestamp` (the header's exact text).
inline std::string sign(const secret& signing_secret, std::string_view timestamp,
                        std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  std::string out(signature_version);
  out += http::hex_encode(http::hmac_sha256(signing_secret.reveal(), message));
  return out;
}

// The X-Syncline-Timestamp value for a point in time.
inline std::string timestamp_value(std::chrono::system_clock::time_point at) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
}

struct verifier_options {
  // Deliveries signed longer ago than this (or this far in the future, for clock skew) are
  // refused as possible replays.
  std::chrono::seconds tolerance{300};
};

// Checks a delivery on the receiving side. Every failure is errc::unauthorized with a reason a
// person can act on; the secret never appears in it.
class verifier {
 public:
  explicit verifier(secret signing_secret, verifier_options options = {})
      : current_(std::move(signing_secret)), options_(options) {}
  // During a rotation, deliveries signed with either secret are accepted.
  verifier(secret current, secret previous, verifier_options options = {})
      : current_(std::move(current)), previous_(std::move(previous)), options_(options) {}

  result<void> verify(
      std::string_view body, std::string_view signature, std::string_view timestamp,
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
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
      return refuse(
          "the delivery was signed " + std::to_string(age) + " s ago, more than the tolerance of " +
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

 private:
  static ::syncline::error refuse(std::string why) {
    return make_error(errc::unauthorized, "data stream delivery rejected: " + std::move(why));
  }
  // Header text from the wire goes into a message: keep it short and printable.
  static std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
    return out;
  }

  secret current_;
  std::optional<secret> previous_;
  verifier_options options_;
};

}  // namespace syncline::data_stream
