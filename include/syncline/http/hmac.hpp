// HMAC-SHA256, Base64 (and base64url) and constant-time comparison: the primitives behind
// Shopify webhook signatures, session tokens, the data-stream signature and the emulator's
// signing. One copy, on OpenSSL 3 (included by impl/hmac.ipp only).
#pragma once

#include <syncline/config.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::http {

using sha256_digest = std::array<unsigned char, 32>;

// Throws std::runtime_error when OpenSSL fails (out of memory, HMAC or SHA-256 unavailable).
SYNCLINE_DECL sha256_digest hmac_sha256(std::string_view key, std::string_view message);

SYNCLINE_DECL std::string base64_encode(std::string_view bytes);

template <std::size_t N>
std::string base64_encode(const std::array<unsigned char, N>& bytes) {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// Strict decoding: returns nullopt for anything that is not canonical padded Base64.
SYNCLINE_DECL std::optional<std::string> base64_decode(std::string_view text);

// Base64url without padding (RFC 4648 section 5), as JWTs use it: '-' and '_' for '+' and '/'.
SYNCLINE_DECL std::string base64url_encode(std::string_view bytes);
// Strict: nullopt for padding, characters outside the alphabet, or a length no encoding has.
SYNCLINE_DECL std::optional<std::string> base64url_decode(std::string_view text);

SYNCLINE_DECL std::string hex_encode(std::string_view bytes);

template <std::size_t N>
std::string hex_encode(const std::array<unsigned char, N>& bytes) {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// Compares in time that depends only on the lengths, so a signature check leaks nothing.
SYNCLINE_DECL bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// base64(HMAC-SHA256(secret, body)) — Shopify's X-Shopify-Hmac-Sha256.
SYNCLINE_DECL std::string hmac_sha256_base64(std::string_view secret, std::string_view body);

// True when `signature_b64` is base64(HMAC-SHA256(secret, body)); constant time in the signature.
SYNCLINE_DECL bool verify_hmac_sha256_base64(std::string_view secret, std::string_view body,
                                             std::string_view signature_b64);

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/hmac.ipp>
#endif
