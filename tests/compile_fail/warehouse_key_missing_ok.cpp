// OK twin of warehouse_key_missing.cpp: the key names a member, so it compiles.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<order_row, "orders", syncline::warehouse::key<"id">>;
static_assert(!orders::keyed_by_run && orders::column_count == 3 && orders::columns[0].key);

int main() { return orders::stage(order_row{}).has_value() ? 0 : 1; }
