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

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::data_stream {

inline constexpr std::string_view signature_header = "X-Syncline-Signature";
inline constexpr std::string_view timestamp_header = "X-Syncline-Timestamp";
inline constexpr std::string_view idempotency_key_header = "X-Syncline-Idempotency-Key";
inline constexpr std::string_view tenant_header = "X-Syncline-Tenant";
inline constexpr std::string_view stream_header = "X-Syncline-Stream";
inline constexpr std::string_view signature_version = "v1=";

// The X-Syncline-Signature value for `body` sent at `timestamp` (the header's exact text).
SYNCLINE_DECL std::string sign(const secret& signing_secret, std::string_view timestamp,
                               std::string_view body);

// The X-Syncline-Timestamp value for a point in time.
SYNCLINE_DECL std::string timestamp_value(std::chrono::system_clock::time_point at);

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

  SYNCLINE_DECL result<void> verify(
      std::string_view body, std::string_view signature, std::string_view timestamp,
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

 private:
  SYNCLINE_DECL static ::syncline::error refuse(std::string why);
  // Header text from the wire goes into a message: keep it short and printable.
  SYNCLINE_DECL static std::string printable(std::string_view s);

  secret current_;
  std::optional<secret> previous_;
  verifier_options options_;
};

}  // namespace syncline::data_stream

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/data_stream_signature.ipp>
#endif
