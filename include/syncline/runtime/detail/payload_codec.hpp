// Payloads as the queue stores them: JSON text. Records go through syncline::json; a schedule's
// tick (a time point, which JSON has no type for) is written as integer nanoseconds.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace syncline::detail {

template <class P>
struct payload_codec {
  static constexpr bool supported = json::mappable<P>;
  static result<P> decode(std::string_view text) { return json::decode<P>(text); }
  static std::string encode(const P& p) { return json::encode(p); }
};

template <>
struct payload_codec<tick> {
  static constexpr bool supported = true;
  static constexpr std::string_view prefix = "{\"scheduled_for_ns\":";

  static std::string encode(const tick& t) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.scheduled_for.time_since_epoch());
    return std::string(prefix) + std::to_string(ns.count()) + "}";
  }
  static result<tick> decode(std::string_view text) {
    std::int64_t ns = 0;
    if (text.starts_with(prefix) && text.ends_with("}")) {
      const std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ns);
      if (ec == std::errc{} && end == digits.data() + digits.size())
        return tick{std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::nanoseconds(ns)))};
    }
    return make_error(errc::decode, "a schedule tick must be {\"scheduled_for_ns\":<integer>}");
  }
};

}  // namespace syncline::detail
