// expect: syncline: warehouse::table newer<> column is not a member of the row type
// names: newer_column_is_not_a_member_of_the_row<syncline::fixed_string<6>{"orders"}, syncline::fixed_string<10>{"updated_on"}, versioned_row>
// The newer<> column of a warehouse table must name a described member of its row type. Twin:
// warehouse_newer_missing_ok.cpp.
#include "warehouse_setup.hpp"

// "updated_on" is not a member of versioned_row (its version member is "updated_at").
using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"updated_on">>;

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
