// OK twin of warehouse_newer_wrong_type.cpp: updated_at is a timestamp, so it compiles.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"id">,
                                          syncline::warehouse::newer<"updated_at">>;
static_assert(orders::versioned && orders::version_column == 2);

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
