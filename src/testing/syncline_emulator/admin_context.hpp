// What one GraphQL Admin API request may read and change, and the order changes it made.
#pragma once

#include <syncline_emulator/shop_data.hpp>

#include <boost/json/array.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace syncline::testing::detail {

// An order change the API made; the emulator turns each into webhooks after the request.
struct order_event {
  std::string topic;
  std::uint64_t order_id = 0;
};

// What one GraphQL request may read and change.
struct admin_context {
  shop_data& shop;
  id_counters& ids;
  sys_time now;
  std::mt19937_64& rng;
  std::string api_version;
  std::vector<order_event> events;
  bool created_order = false;          // an orderCreate succeeded (for the lost-answer fault)
  boost::json::array search_warnings;  // extensions.search: ignored search terms
  std::string app;                     // the calling app's client id; empty: the shop's own app
};

}  // namespace syncline::testing::detail
