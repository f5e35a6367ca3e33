// OK twin of warehouse_newer_run_key.cpp: with a key of the row, newer<> compiles.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"updated_at">>;
static_assert(orders::versioned && !orders::keyed_by_run);

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
