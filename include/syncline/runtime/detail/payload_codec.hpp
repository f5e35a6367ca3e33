// Payloads as the queue stores them: JSON text, through syncline::json. A schedule's tick (a time
// point, which JSON has no type for) is stored as integer nanoseconds.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>

#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::detail {

template <class P>
struct payload_codec {
  static constexpr bool supported = json::mappable<P>;
  static result<P> decode(std::string_view text) { return json::decode<P>(text); }
  static std::string encode(const P& p) { return json::encode(p); }
};

// A tick as the queue stores it: {"scheduled_for_ns":<integer>}, through syncline::json like
// every other payload.
struct stored_tick {
  std::int64_t scheduled_for_ns = 0;
};
BOOST_DESCRIBE_STRUCT(stored_tick, (), (scheduled_for_ns))

template <>
struct payload_codec<tick> {
  static constexpr bool supported = true;

  static std::string encode(const tick& t) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.scheduled_for.time_since_epoch());
    return json::encode(stored_tick{ns.count()});
  }
  static result<tick> decode(std::string_view text) {
    auto stored = json::decode<stored_tick>(text);
    if (!stored)
      return make_error(errc::decode, "a schedule tick must be {\"scheduled_for_ns\":<integer>}: " +
                                          stored.error().message);
    return tick{std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(stored->scheduled_for_ns)))};
  }
};

}  // namespace syncline::detail
