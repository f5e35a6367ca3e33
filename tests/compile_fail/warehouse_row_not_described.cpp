// expect: syncline: warehouse::table row type must be a struct described with BOOST_DESCRIBE_STRUCT
// names: row_type_is_not_described<syncline::fixed_string<6>{"orders"}, plain_row>
// A warehouse table's columns are its row type's described members, so a row struct without
// BOOST_DESCRIBE_STRUCT is one error, not the failures of everything built on the description.
// Twin: warehouse_row_not_described_ok.cpp.
#include "warehouse_setup.hpp"

// The same members as order_row, but never described.
struct plain_row {
  std::int64_t id = 0;
  std::string name;
};

using orders = syncline::warehouse::table<plain_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"id">>;

int main() { return orders::stage(plain_row{}).has_value() ? 0 : 1; }
