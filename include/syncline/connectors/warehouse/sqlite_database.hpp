// warehouse::sqlite_database: the warehouse's names for the shared SQLite connection
// (syncline/sqlite/database.hpp); it opens with a sqlite::connection_options.
#pragma once

#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>

namespace syncline::warehouse {

using sqlite_database = sqlite::database;
using sqlite_statement = sqlite::statement;

}  // namespace syncline::warehouse
