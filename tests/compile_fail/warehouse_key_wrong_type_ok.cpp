// OK twin of warehouse_key_wrong_type.cpp: the key is the integer id.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">>;

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
