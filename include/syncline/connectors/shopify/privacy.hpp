// shopify::privacy_desk: what syncline does with Shopify's mandatory privacy requests, beyond
// authenticating them. A customers/redact erases that customer's data, a shop/redact all of the
// shop's, from syncline's own store (run payloads, block events, dedupe and echo records, poll
// cursors) and from every warehouse sink the integration writes to; each erasure is recorded
// in the store's erasure log, without the erased data. A customers/data_request collects the
// runs that hold the customer's data, for the application to hand to the merchant.
//
// Which runs are the customer's: a run whose payload (JSON) holds the customer's email (in any
// case) or phone as a string, an object under "customer" with the customer's id, or an order
// (a top-level "id", or an "order_id") of orders_to_redact / orders_requested. Which warehouse
// rows: those whose key is one of those order ids (warehouse::erasable::erase_keys), so a table
// keyed by the order id loses exactly that customer's orders; a table with another key keeps
// its rows until the shop's redact (say so to your users, or key it by the order). The
// request's own run keeps the request until retention removes it (engine_options::
// keep_finished, 7 days by default; Shopify allows 30).
//
//   shopify::privacy_desk desk(store, {&orders_sink_erasable});
//   auto done = co_await desk.redact_customer("acme.myshopify.com", request, webhook_id);
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/compliance.hpp>
#include <syncline/connectors/warehouse/erasable.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>
#include <syncline/store/erasure.hpp>
#include <syncline/store/store.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::shopify {

// One run that holds a customer's data, as a data request answers it.
struct held_run {
  std::int64_t run_id = 0;
  std::string workflow{};
  std::string payload{};  // the run's JSON payload, as it was received
};
BOOST_DESCRIBE_STRUCT(held_run, (), (run_id, workflow, payload))

// What syncline holds about one customer (customers/data_request).
struct customer_data {
  std::string shop_domain{};
  compliance_customer customer{};
  std::optional<std::int64_t> data_request_id{};
  std::vector<held_run> runs{};
};
BOOST_DESCRIBE_STRUCT(customer_data, (), (shop_domain, customer, data_request_id, runs))

// What an erasure removed.
struct erasure_outcome {
  store::erasure_counts store{};
  std::int64_t warehouse_rows = 0;
  std::int64_t erasure_id = 0;  // its row in the store's erasure log
};

// Whether a run's payload holds a customer's data (see above). A payload that is not JSON holds
// none that can be found.
class customer_match {
 public:
  SYNCLINE_DECL customer_match(const compliance_customer& customer,
                               std::vector<std::int64_t> order_ids);
  SYNCLINE_DECL bool operator()(std::string_view payload) const;

 private:
  std::optional<std::int64_t> id_;
  std::string email_;  // lower case
  std::string phone_;
  std::vector<std::int64_t> orders_;
};

class privacy_desk {
 public:
  // The store and the sinks must outlive the desk.
  SYNCLINE_DECL privacy_desk(store::store& st, std::vector<warehouse::erasable*> sinks);

  // `tenant`: the shop's tenant id in the engine; `request`: an id of the request for the
  // erasure log (the webhook id), never personal data. Erasing is idempotent: a request
  // delivered twice erases nothing the second time, and is recorded twice.
  SYNCLINE_DECL awaitable<result<erasure_outcome>> redact_customer(std::string tenant,
                                                                   customers_redact request,
                                                                   std::string request_id);
  SYNCLINE_DECL awaitable<result<erasure_outcome>> redact_shop(std::string tenant,
                                                               shop_redact request,
                                                               std::string request_id);
  SYNCLINE_DECL result<customer_data> collect(std::string_view tenant,
                                              const customers_data_request& request);

 private:
  store::store& store_;
  std::vector<warehouse::erasable*> sinks_;
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/privacy.ipp>
#endif
