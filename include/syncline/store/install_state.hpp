// store::install_state: the single-use `state` of an OAuth install (issue 14). The engine issues
// one when it builds an install URL and takes it back when the callback arrives; the store answers
// each at most once (take_install_state), so a replayed or forged callback finds nothing.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/clock.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::store {

struct install_state {
  std::string state{};  // the nonce, 1..128 chars of [A-Za-z0-9_-] (errc::invalid_input otherwise)
  std::string integration{};
  std::string shop{};       // the shop domain the install was started for
  time_point expires_at{};  // expired states are still answered, so a caller can say "expired"
};

inline constexpr std::size_t max_install_state_length = 128;

// URL-safe without escaping (it travels in the install URL and back in the callback's query).
inline bool valid_install_state(std::string_view state) noexcept {
  return !state.empty() && state.size() <= max_install_state_length &&
         std::ranges::all_of(state, [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

namespace detail {

// errc::invalid_input naming what is wrong; the nonce itself is never quoted (it is a bearer of
// the install until it is taken), only its length.
inline result<void> check_install_state_nonce(std::string_view call, std::string_view state) {
  if (valid_install_state(state)) return {};
  return make_error(errc::invalid_input,
                    std::string(call) + ": an install state is 1 to 128 of [A-Za-z0-9_-] (got " +
                        std::to_string(state.size()) + " bytes that are not)");
}

inline result<void> check_install_state(const install_state& s) {
  if (auto v = check_install_state_nonce("put install state", s.state); !v) return v;
  if (s.integration.empty() || s.shop.empty()) {
    return make_error(errc::invalid_input,
                      "put install state: integration and shop must be non-empty");
  }
  return {};
}

}  // namespace detail

}  // namespace syncline::store
