// expect: syncline: warehouse::table key member must be an integer or std::string
// names: key_member_must_be_an_integer_or_string<syncline::fixed_string<6>{"orders"}, syncline::fixed_string<10>{"updated_at"}, versioned_row>
// An upsert key is compared exactly in every warehouse: an integer or a string. Twin:
// warehouse_key_wrong_type_ok.cpp.
#include "warehouse_setup.hpp"

using orders =
    syncline::warehouse::table<versioned_row, "orders", syncline::warehouse::key<"updated_at">>;

int main() { return orders::stage(versioned_row{}).has_value() ? 0 : 1; }
