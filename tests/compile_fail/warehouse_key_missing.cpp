// expect: syncline: warehouse::table key is not a member of the row type
// names: key_is_not_a_member_of_the_row<syncline::fixed_string<6>{"orders"}, syncline::fixed_string<8>{"order_id"}, order_row>
// The upsert key of a warehouse table must name a described member of its row type. Twin:
// warehouse_key_missing_ok.cpp.
#include "warehouse_setup.hpp"

// "order_id" is not a member of order_row (its key member is "id").
using orders =
    syncline::warehouse::table<order_row, "orders", syncline::warehouse::key<"order_id">>;

int main() { return orders::stage(order_row{}, "run-key").has_value() ? 0 : 1; }
