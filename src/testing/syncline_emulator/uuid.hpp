// Random (version 4) UUIDs for X-Shopify-Webhook-Id, X-Shopify-Event-Id and X-Request-Id, drawn
// from the emulator's seeded generator so a run can be replayed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

namespace syncline::testing::detail {

inline std::string uuid_v4(std::mt19937_64& rng) {
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace syncline::testing::detail
