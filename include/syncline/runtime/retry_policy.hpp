// syncline::retry_policy: what the engine does when a block of a run fails — try the run again
// after an exponential backoff with full jitter, or give up and dead-letter it. A block declares
// its own policy as a static member; blocks that declare none get the engine's default. (The
// HTTP client's re-sends of one request are http::request_retry.)
//
//   struct create_order {
//     static constexpr syncline::retry_policy retry{
//         .max_attempts = 8, .initial_backoff = std::chrono::seconds(2),
//         .retry_on = syncline::errc_set::transient().with(syncline::errc::conflict)};
//     ...
//   };
#pragma once

#include <syncline/core/backoff.hpp>
#include <syncline/core/result.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>

namespace syncline {

// A set of error categories, usable in constant expressions (a block's policy is constexpr).
class errc_set {
 public:
  constexpr errc_set() = default;
  constexpr errc_set(std::initializer_list<errc> categories) {
    for (errc c : categories) bits_ |= bit(c);
  }

  // The categories is_transient() calls transient: a later attempt may get past them.
  static constexpr errc_set transient() {
    errc_set s;
    for (int i = 0; i <= static_cast<int>(errc::internal); ++i)
      if (is_transient(static_cast<errc>(i))) s.bits_ |= std::uint32_t{1} << i;
    return s;
  }
  static constexpr errc_set none() { return {}; }

  constexpr bool contains(errc c) const noexcept { return (bits_ & bit(c)) != 0; }
  constexpr errc_set with(errc c) const noexcept {
    errc_set s = *this;
    s.bits_ |= bit(c);
    return s;
  }
  constexpr errc_set without(errc c) const noexcept {
    errc_set s = *this;
    s.bits_ &= ~bit(c);
    return s;
  }

  friend constexpr bool operator==(const errc_set&, const errc_set&) = default;

 private:
  static constexpr std::uint32_t bit(errc c) noexcept {
    return std::uint32_t{1} << static_cast<unsigned>(c);
  }
  std::uint32_t bits_ = 0;
};

struct retry_policy {
  // Attempts in all, the first included; 1 means a failure dead-letters the run at once.
  int max_attempts = 5;
  // The cap of the first jittered wait; each later retry doubles it, up to max_backoff.
  std::chrono::milliseconds initial_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  // Which failures are worth another attempt. Anything else (a decode error, a validation
  // error from the app) would fail the same way again, so it goes to the dead letters at once.
  errc_set retry_on = errc_set::transient();

  // Whether a run whose `attempt`-th attempt failed with `category` gets another one.
  constexpr bool retries(errc category, int attempt) const noexcept {
    return attempt < max_attempts && retry_on.contains(category);
  }

  // How long to wait after the `attempt`-th attempt failed (attempt >= 1): core/backoff.hpp's
  // full jitter, so that runs failing together (an app outage) do not all come back together.
  template <class Rng>
  std::chrono::milliseconds backoff(int attempt, Rng& rng) const {
    return full_jitter_backoff(initial_backoff, max_backoff, attempt - 1, rng);
  }

  static constexpr retry_policy never() {
    retry_policy p;
    p.max_attempts = 1;
    p.retry_on = errc_set::none();
    return p;
  }
};

namespace detail {
// A block's own policy: `static constexpr syncline::retry_policy retry{...};`.
template <class B>
concept declares_retry_policy = requires {
  { B::retry } -> std::convertible_to<retry_policy>;
};
}  // namespace detail

}  // namespace syncline
