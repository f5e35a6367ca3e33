// The row queue of warehouse::sqlite_sink, instantiated once. Compiled once in separate mode (see
// <syncline/config.hpp>), so a TU that only declares a workflow writing to the sink parses no
// Asio.
#pragma once

#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

namespace syncline::warehouse::detail {

#if !SYNCLINE_HEADER_ONLY
// The sink's open() names it and, in separate mode, sees only its declaration.
template std::unique_ptr<row_queue<staged_row>> make_row_queue<sqlite_table_writer>(
    boost::asio::any_io_executor, batch_options, std::shared_ptr<sqlite_table_writer>);
#endif

}  // namespace syncline::warehouse::detail
