// The positive twin of warehouse_key_missing.cpp: the key names a member, so it compiles.
#include <syncline/connectors/warehouse/table.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>

struct order_row {
  std::int64_t id = 0;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, name))

using orders = syncline::warehouse::table<order_row, "orders", syncline::warehouse::key<"id">>;
static_assert(!orders::keyed_by_run && orders::column_count == 2 && orders::columns[0].key);

int main() { return orders::stage(order_row{}).has_value() ? 0 : 1; }
