// testing::webhook_retry_schedule: when a failed webhook delivery is tried again. Shopify retries
// a failed delivery 8 times over 4 hours with exponential backoff, always with the original
// payload. The default here doubles the wait each time (d, 2d, 4d, ... 128d with 255 d = 4 h).
// `time_scale` compresses the whole schedule for tests: 1.0 / 3600 turns 4 hours into 4 seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace syncline::testing {

struct webhook_retry_schedule {
  // Wait before retry i (0-based), unscaled. Its size is the number of retries.
  std::vector<std::chrono::milliseconds> delays = shopify();
  double time_scale = 1.0;

  // Shopify's schedule: 8 retries, exponential, 4 hours from the first failure to the last retry.
  static std::vector<std::chrono::milliseconds> shopify() {
    constexpr std::int64_t total_ms = 4 * 3600 * 1000;
    constexpr std::int64_t parts = 255;  // 1 + 2 + ... + 128
    std::vector<std::chrono::milliseconds> d;
    std::int64_t sum = 0;
    for (int i = 0; i < 8; ++i) {
      std::int64_t ms = (total_ms / parts) << i;
      if (i == 7) ms = total_ms - sum;  // absorb rounding so the total is exactly 4 h
      d.emplace_back(ms);
      sum += ms;
    }
    return d;
  }

  unsigned retries() const noexcept { return static_cast<unsigned>(delays.size()); }

  // The (scaled) wait after `failed_attempts` failures; nullopt once the retries are spent.
  std::optional<std::chrono::nanoseconds> delay_after(unsigned failed_attempts) const {
    if (failed_attempts == 0 || failed_attempts > delays.size()) return std::nullopt;
    const double ns =
        std::chrono::duration<double, std::nano>(delays[failed_attempts - 1]).count() *
        (time_scale > 0 ? time_scale : 1.0);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
  }
};

}  // namespace syncline::testing
