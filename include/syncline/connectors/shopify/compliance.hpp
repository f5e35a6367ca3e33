// The payloads of Shopify's mandatory compliance webhooks (GDPR/CCPA): a customer asks for their
// data (customers/data_request), a customer's data must be erased (customers/redact), and 48
// hours after an uninstall the shop's data must be erased (shop/redact). Every app must answer
// them, and must answer 401 to a delivery whose signature is wrong.
#pragma once

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syncline::shopify {

// The customer a compliance request is about.
struct compliance_customer {
  std::optional<std::int64_t> id{};
  std::optional<std::string> email{};
  std::optional<std::string> phone{};

  bool operator==(const compliance_customer&) const = default;
};
BOOST_DESCRIBE_STRUCT(compliance_customer, (), (id, email, phone))

struct data_request_reference {
  std::int64_t id = 0;

  bool operator==(const data_request_reference&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_request_reference, (), (id))

// customers/data_request: send the shop owner what you hold about this customer.
struct customers_data_request {
  std::int64_t shop_id = 0;
  std::string shop_domain{};
  compliance_customer customer{};
  std::optional<std::vector<std::int64_t>> orders_requested{};
  std::optional<data_request_reference> data_request{};

  bool operator==(const customers_data_request&) const = default;
};
BOOST_DESCRIBE_STRUCT(customers_data_request, (),
                      (shop_id, shop_domain, customer, orders_requested, data_request))

// customers/redact: erase this customer's data (and that of the listed orders).
struct customers_redact {
  std::int64_t shop_id = 0;
  std::string shop_domain{};
  compliance_customer customer{};
  std::optional<std::vector<std::int64_t>> orders_to_redact{};

  bool operator==(const customers_redact&) const = default;
};
BOOST_DESCRIBE_STRUCT(customers_redact, (), (shop_id, shop_domain, customer, orders_to_redact))

// shop/redact: erase everything about the shop.
struct shop_redact {
  std::int64_t shop_id = 0;
  std::string shop_domain{};

  bool operator==(const shop_redact&) const = default;
};
BOOST_DESCRIBE_STRUCT(shop_redact, (), (shop_id, shop_domain))

}  // namespace syncline::shopify
