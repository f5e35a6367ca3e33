// warehouse::random_request_id: the idempotency key of a request to a warehouse's API (the
// Snowflake SQL API's requestId, BigQuery jobs.query's requestId): a re-sent request with the
// same id runs once.
#pragma once

#include <syncline/http/hmac.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace syncline::warehouse {

// A random RFC 9562 version-4 UUID, the form both APIs expect.
inline std::string random_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 8) {
    std::uint64_t v = rng();
    for (std::size_t k = 0; k < 8; ++k) b[i + k] = static_cast<unsigned char>(v >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // variant 10
  const std::string hex = http::hex_encode(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

}  // namespace syncline::warehouse
