// What warehouse_key_missing.cpp and its twin share: the described row a warehouse table stores.
// Each file keeps only the table whose key names a member. Not a test itself: the CMake glob
// takes *.cpp only.
#pragma once

#include <syncline/connectors/warehouse/table.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>

struct order_row {
  std::int64_t id = 0;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, name))
