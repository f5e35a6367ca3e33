// store::erasure_counts and store::erasure_record: what a privacy erasure removed from the store
// (issue 14: customers/redact, shop/redact, an uninstall, an operator's request), and the log the
// store keeps of each erasure. The log says what was erased and why, never the erased data.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/clock.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::store {

struct erasure_counts {
  std::int64_t runs = 0, block_events = 0, dedupe_keys = 0, echo_records = 0, cursors = 0;
  bool operator==(const erasure_counts&) const = default;
};

struct erasure_record {  // what was erased, never the erased data itself
  std::int64_t id = 0;   // set by the store
  std::string tenant{};
  std::string kind{};     // "customers/redact", "shop/redact", "uninstall", "operator"
  std::string request{};  // e.g. Shopify's request id or shop id; no personal data
  erasure_counts counts{};
  time_point at{};  // set by the store
};

// store::runs_matching reads a tenant's runs this many at a time, so what it holds in memory is
// one page of payloads, however many runs the tenant has.
inline constexpr std::size_t runs_matching_page = 256;

inline constexpr std::array<std::string_view, 4> erasure_kinds{"customers/redact", "shop/redact",
                                                               "uninstall", "operator"};
// The request is an id, not free text: bounded, so that a caller cannot log a payload in it.
inline constexpr std::size_t max_erasure_request = 256;

namespace detail {

inline result<void> check_erasure(const erasure_record& e) {
  if (e.tenant.empty()) return make_error(errc::invalid_input, "record erasure: tenant is empty");
  bool known = false;
  for (auto k : erasure_kinds) known = known || k == e.kind;
  if (!known) {
    return make_error(errc::invalid_input,
                      "record erasure: kind \"" + e.kind.substr(0, 64) +
                          "\" is none of customers/redact, shop/redact, uninstall, operator");
  }
  if (e.request.size() > max_erasure_request || e.request.find('\0') != std::string::npos) {
    return make_error(errc::invalid_input,
                      "record erasure: request must be an id of at most 256 bytes without NUL");
  }
  return {};
}

}  // namespace detail

}  // namespace syncline::store
