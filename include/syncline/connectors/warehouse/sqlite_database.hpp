// warehouse::sqlite_database: the warehouse's names for the shared SQLite connection
// (syncline/sqlite/database.hpp); its options are warehouse::sqlite_options (sqlite_options.hpp).
#pragma once

#include <syncline/connectors/warehouse/sqlite_options.hpp>
#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>

namespace syncline::warehouse {

using sqlite_database = sqlite::database;
using sqlite_statement = sqlite::statement;

}  // namespace syncline::warehouse
