// OK twin of warehouse_row_not_described.cpp: the row is described, so it compiles.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<order_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"id">>;
static_assert(orders::columns.size() == 3 && orders::versioned);

int main() { return orders::stage(order_row{}).has_value() ? 0 : 1; }
