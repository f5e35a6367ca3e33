// warehouse::sqlite_database: the warehouse's names for the shared SQLite connection
// (syncline/sqlite/database.hpp). Its defaults suit a sink: WAL, synchronous=NORMAL, and
// errors classified by SQLite code (a constraint failure is the row's fault, a locked file may
// pass).
#pragma once

#include <syncline/sqlite/database.hpp>
#include <syncline/sqlite/statement.hpp>

namespace syncline::warehouse {

using sqlite_options = sqlite::options;
using sqlite_database = sqlite::database;
using sqlite_statement = sqlite::statement;

}  // namespace syncline::warehouse
