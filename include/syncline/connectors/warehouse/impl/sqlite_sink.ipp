// The bodies of warehouse::sqlite_sink's untyped half. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/warehouse/batcher.hpp>
#include <syncline/connectors/warehouse/detail/sqlite_table_writer.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>

#include <utility>

namespace syncline::warehouse::detail {

SYNCLINE_DECL result<std::unique_ptr<sqlite_row_sink>> sqlite_row_sink::open(
    boost::asio::any_io_executor ex, const std::string& path, const sqlite_sink_options& options,
    std::string create_sql, std::string upsert_sql) {
  auto db = sqlite_database::open(path, options.database);
  if (!db) return std::move(db).error();
  auto writer = std::make_shared<sqlite_table_writer>(std::move(*db), std::move(create_sql),
                                                      std::move(upsert_sql));
  return std::unique_ptr<sqlite_row_sink>(
      new sqlite_row_sink(std::move(ex), std::move(writer), options.batch));
}

SYNCLINE_DECL sqlite_row_sink::sqlite_row_sink(boost::asio::any_io_executor ex,
                                               std::shared_ptr<sqlite_table_writer> writer,
                                               batch_options batch)
    : writer_(std::move(writer)),
      batcher_(std::make_unique<batcher<staged_row>>(
          std::move(ex), batch,
          [writer = writer_](
              std::vector<staged_row>& rows) -> boost::asio::awaitable<std::vector<result<void>>> {
            co_return writer->write(rows, false);
          })) {}

// Here, where batcher and writer are complete. The batcher (the later member) goes first: rows
// still waiting fail with errc::cancelled, and a flush already running holds its own reference
// to the writer.
SYNCLINE_DECL sqlite_row_sink::~sqlite_row_sink() = default;

SYNCLINE_DECL result<void> sqlite_row_sink::create_table() { return writer_->create_table(); }

SYNCLINE_DECL boost::asio::awaitable<result<void>> sqlite_row_sink::submit(staged_row row) {
  co_return co_await batcher_->submit(std::move(row));
}

SYNCLINE_DECL batch_statistics sqlite_row_sink::statistics() const noexcept {
  return batcher_->statistics();
}

SYNCLINE_DECL result<void> sqlite_row_sink::write_atomic(std::span<const staged_row> rows) {
  auto results = writer_->write(rows, true);
  for (auto& r : results)
    if (!r) return std::move(r).error();
  return {};
}

}  // namespace syncline::warehouse::detail
