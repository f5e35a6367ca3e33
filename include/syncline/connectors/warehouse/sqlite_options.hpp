// warehouse::sqlite_options: how a SQLite sink opens its file (syncline/sqlite/options.hpp). Its
// defaults suit a sink: WAL, synchronous=NORMAL, and errors classified by SQLite code (a
// constraint failure is the row's fault, a locked file may pass).
#pragma once

#include <syncline/sqlite/options.hpp>

namespace syncline::warehouse {

using sqlite_options = sqlite::options;

}  // namespace syncline::warehouse
