// testing::privacy_request: whom a privacy (GDPR) request of the emulator is about — the customer
// of customers/redact and customers/data_request and their orders; shop/redact needs none of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace syncline::testing {

struct privacy_request {
  std::uint64_t customer_id = 0;
  std::string email;
  std::string phone;                  // empty: null in the payload
  std::vector<std::uint64_t> orders;  // orders_to_redact / orders_requested
};

}  // namespace syncline::testing
