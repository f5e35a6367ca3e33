// OK twin of warehouse_table_name_invalid.cpp: a schema and a table, both identifiers.
#include "warehouse_setup.hpp"

using orders =
    syncline::warehouse::table<order_row, "analytics.orders", syncline::warehouse::key<"id">>;

int main() { return orders::stage(order_row{}).has_value() ? 0 : 1; }
