// expect: syncline: warehouse::table newer<> needs a key<"member", ...> of the row
// names: newer_needs_a_user_key<syncline::fixed_string<6>{"orders"}, versioned_row>
// newer<> compares a row with the stored row of the same key; rows keyed by the run's
// idempotency key are never replaced, so it needs a key of the row. Twin:
// warehouse_newer_run_key_ok.cpp.
#include "warehouse_setup.hpp"

using orders = syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::run_key,
                                          syncline::warehouse::newer<"updated_at">>;

int main() { return orders::stage(versioned_row{}, "run-key").has_value() ? 0 : 1; }
