// testing::emulator_clock: the emulator's notion of "now". Rate buckets leak, orders get their
// timestamps and webhook retries fall due by this clock, so a test can hold time still or jump
// hours ahead (a manual clock) instead of sleeping. Copies share one time source.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

namespace syncline::testing {

class emulator_clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  using duration = std::chrono::system_clock::duration;

  // The system clock.
  emulator_clock() = default;

  // A clock that stands still at `start` until advanced.
  static emulator_clock manual(time_point start) {
    emulator_clock c;
    c.manual_ = std::make_shared<manual_time>();
    c.manual_->now = start;
    return c;
  }

  bool is_manual() const noexcept { return manual_ != nullptr; }

  time_point now() const {
    if (!manual_) return std::chrono::system_clock::now();
    std::lock_guard lock(manual_->mutex);
    return manual_->now;
  }

  // Moves a manual clock forward; the system clock cannot be moved, so this returns false there.
  bool advance(duration d) {
    if (!manual_) return false;
    std::lock_guard lock(manual_->mutex);
    manual_->now += d;
    return true;
  }

 private:
  struct manual_time {
    std::mutex mutex;
    time_point now;
  };
  std::shared_ptr<manual_time> manual_;
};

}  // namespace syncline::testing
