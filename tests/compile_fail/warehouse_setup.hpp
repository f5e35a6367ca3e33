// What the warehouse_* compile-fail tests and their twins share: the described rows a warehouse
// table stores. Each file keeps only the table it checks. Not a test itself: the CMake glob
// takes *.cpp only.
#pragma once

#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/timestamp.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>

struct order_row {
  std::int64_t id = 0;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, name))

// A row with a version column (updated_at) and a member that cannot be one (name).
struct versioned_row {
  std::int64_t id = 0;
  std::string name;
  syncline::timestamp updated_at{};
};
BOOST_DESCRIBE_STRUCT(versioned_row, (), (id, name, updated_at))
