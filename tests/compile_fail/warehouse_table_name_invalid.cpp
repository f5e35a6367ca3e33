// expect: syncline: warehouse::table name must be an identifier \[a-z\]\[a-z0-9_\]\* of at most 63 characters
// names: table_name_is_not_valid<syncline::fixed_string<12>{"Orders Table"}>
// A table name needs no quoting in any warehouse: lower-case identifiers, one optional schema.
// Twin: warehouse_table_name_invalid_ok.cpp.
#include "warehouse_setup.hpp"

using orders =
    syncline::warehouse::table<order_row, "Orders Table", syncline::warehouse::key<"id">>;

int main() { return orders::stage(order_row{}).has_value() ? 0 : 1; }
