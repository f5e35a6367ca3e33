// expect: syncline: warehouse::table newer<> column must be a syncline::timestamp or an integer
// names: newer_column_must_be_a_timestamp_or_integer<syncline::fixed_string<6>{"orders"}, syncline::fixed_string<4>{"name"}, versioned_row>
// The newer<> column of a warehouse table must compare as a version: a timestamp or an integer.
// Twin: warehouse_newer_wrong_type_ok.cpp.
#include "warehouse_setup.hpp"

// "name" is a std::string: text does not order versions.
using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"name">>;

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
