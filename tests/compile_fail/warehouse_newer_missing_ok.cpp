// OK twin of warehouse_newer_missing.cpp: the newer<> column names a member, so it compiles.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"updated_at">>;
static_assert(orders::versioned && orders::columns[orders::version_column].name == "updated_at");

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
