// warehouse::batched_sink<Table, Writer>: what every warehouse sink is, written once. A run's
// write stages its row for the warehouse and waits in the sink's group commit; the writer puts
// the waiting rows of concurrent runs into the warehouse in one batch (one transaction, one
// request) and each write resumes with its own row's result. sqlite_sink, postgres_sink,
// bigquery_sink and snowflake_sink derive from it and add only their factory, `open`, and what
// is theirs alone (BigQuery's insert_id).
//
// A Writer is the untyped half of a sink, shared with the flushes it runs:
//   using item = ...;  // a row as the writer sends it (staged_row, or its own form)
//   awaitable<std::vector<result<void>>> write(std::vector<item>&);  // one batch, a result a row
//   template <class Table> static result<item> prepare(const row_type&, std::string_view run_key,
//                                                      std::string_view tenant);
//       // only when item is not staged_row (staged_row comes from Table::stage)
//   awaitable<result<std::int64_t>> erase_keys(std::string tenant,
//                                              std::vector<std::vector<cell>> keys);
//   awaitable<result<std::int64_t>> erase_tenant(std::string tenant);  // privacy erasure
// and optionally create_table(), write_atomic(std::span<const item>) (a blocking all-or-nothing
// write, which gives the sink write_batch) and secrets() (the engine's redactor asks for them).
//
// Declaring a workflow that writes to a sink needs no Asio (issue 11): the executor and the
// awaitable are only declared here, and the group commit is reached through row_queue, whose
// implementation (batcher.hpp) is included by the code that opens the sink.
#pragma once

#include <syncline/connectors/warehouse/batch_options.hpp>
#include <syncline/connectors/warehouse/table.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline::warehouse {

namespace detail {

// boost::asio::any_io_executor, spelled so that it depends on D. A parameter of a function
// defined in a template must be complete where the function is defined unless it is dependent,
// and then only where the function is used (with the executor, after Asio's header).
template <class D>
struct dependent_executor {
  using type = boost::asio::any_io_executor;
};

// A sink's group commit as the sink sees it: submit a row, resume once its batch is written.
// Virtual so that a sink's declaration names no Asio; make_row_queue (batcher.hpp) makes one.
template <class Item>
class row_queue {
 public:
  virtual ~row_queue() = default;
  virtual awaitable<result<void>> submit(Item item) = 0;
  virtual batch_statistics statistics() const noexcept = 0;
};

// Defined in batcher.hpp: a row_queue whose batches go to writer->write on a strand of `ex`.
template <class Writer>
std::unique_ptr<row_queue<typename Writer::item>> make_row_queue(boost::asio::any_io_executor ex,
                                                                 batch_options batch,
                                                                 std::shared_ptr<Writer> writer);

}  // namespace detail

template <class Table, class Writer>
class batched_sink {
 protected:
  using item = typename Writer::item;

 public:
  using table_type = Table;
  using row_type = typename Table::row_type;

  // Batched write: resumes once the batch holding `row` is written (committed, or accepted by
  // the warehouse's API). `run_key` is the run's idempotency key (required when the table has no
  // key of its own); a replayed run writes the same row again, never a second one. `tenant` is
  // the run's tenant, kept in `_syncline_tenant` for erase_tenant.
  awaitable_for<result<void>, Table> write(const row_type& row, std::string_view run_key = {},
                                           std::string_view tenant = {}) {
    auto item = prepare(row, run_key, tenant);
    if (!item) co_return std::move(item).error();
    co_return co_await rows_->submit(std::move(*item));
  }

  // Flushes and rows so far: rows / flushes is the batch size the load achieved.
  batch_statistics statistics() const noexcept { return rows_->statistics(); }

  // CREATE TABLE IF NOT EXISTS from the row type; safe to call on every start. A result<void>
  // for a database the sink holds a connection to, an awaitable for one behind an HTTP API.
  auto create_table() requires requires(Writer& w) { w.create_table(); }
  { return writer_->create_table(); }

  // Direct write of many rows in one transaction, all or nothing: for bulk loads outside a run.
  result<void> write_batch(std::span<const row_type> rows, std::string_view tenant = {}) requires(
      !Table::keyed_by_run &&
      requires(Writer & w, std::span<const item> s) { w.write_atomic(s); }) {
    std::vector<item> staged;
    staged.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto s = prepare(rows[i], {}, tenant);
      if (!s) {
        return make_error(s.error().category, "row " + std::to_string(i) + ": " +
                                                  s.error().message + " (nothing was written)");
      }
      staged.push_back(std::move(*s));
    }
    return writer_->write_atomic(std::span<const item>(staged));
  }

  // Privacy erasure: deletes the rows of `tenant` whose key is one of `keys` and answers how many
  // went; another tenant's rows are never touched. A key is the table's key as text: the member's
  // value ("450789469"), for several members their values joined by warehouse::key_text, for a
  // table keyed by run the run's idempotency key. A key that does not parse fails the call
  // before anything is deleted. Rows still waiting in the group commit are not erased: erase
  // after the runs that write them have finished.
  awaitable_for<result<std::int64_t>, Table> erase_keys(std::string tenant,
                                                        std::vector<std::string> keys) {
    std::vector<std::vector<cell>> parsed;
    parsed.reserve(keys.size());
    for (const std::string& k : keys) {
      auto cells = Table::key_cells(k);
      if (!cells) {
        co_return make_error(cells.error().category,
                             cells.error().message + " (nothing was erased)");
      }
      parsed.push_back(std::move(*cells));
    }
    if (parsed.empty()) co_return std::int64_t{0};
    const std::shared_ptr<Writer> writer = writer_;  // the frame keeps it alive
    co_return down_is_unavailable(
        co_await writer->erase_keys(std::move(tenant), std::move(parsed)));
  }

  // Privacy erasure: deletes every row of `tenant` and answers how many went. Rows written before
  // the table had `_syncline_tenant` hold '' and are not found; an empty `tenant` is refused, as
  // it would name exactly those rows of every tenant.
  awaitable_for<result<std::int64_t>, Table> erase_tenant(std::string tenant) {
    if (tenant.empty()) {
      co_return make_error(errc::invalid_input,
                           "warehouse table \"" + std::string(Table::name) +
                               "\": erase_tenant needs a tenant (an empty one would erase the "
                               "rows written before the tenant column existed, of every tenant)");
    }
    const std::shared_ptr<Writer> writer = writer_;
    co_return down_is_unavailable(co_await writer->erase_tenant(std::move(tenant)));
  }

  // Its credentials, for the engine's redactor (see syncline::holds_secrets): an error answer
  // that echoes one is scrubbed before it reaches a log.
  std::vector<secret> secrets() const requires requires(const Writer& w) { w.secrets(); }
  { return writer_->secrets(); }

 protected:
  // Rows the writer refuses before any is sent (a value out of range, a missing run key) fail
  // here, alone, before they join a batch.
  static result<item> prepare(const row_type& row, std::string_view run_key,
                              std::string_view tenant) {
    if constexpr (std::is_same_v<item, staged_row>) {
      return Table::stage(row, run_key, tenant);
    } else {
      return Writer::template prepare<Table>(row, run_key, tenant);
    }
  }

  Writer& writer() noexcept { return *writer_; }

  // An erasure of a warehouse that cannot be reached is errc::unavailable, whichever layer
  // noticed (the HTTP client calls a refused connection errc::connect): the engine retries it.
  static result<std::int64_t> down_is_unavailable(result<std::int64_t> r) {
    if (r || r.error().category != errc::connect) return r;
    ::syncline::error e = std::move(r).error();
    e.category = errc::unavailable;
    return e;
  }

  batched_sink(typename detail::dependent_executor<Table>::type ex, std::shared_ptr<Writer> writer,
               batch_options batch)
      : writer_(std::move(writer)), rows_(detail::make_row_queue(std::move(ex), batch, writer_)) {}

 private:
  // The queue (the later member) goes first: rows still waiting fail with errc::cancelled, and
  // a flush already running holds its own reference to the writer.
  std::shared_ptr<Writer> writer_;
  std::unique_ptr<detail::row_queue<item>> rows_;
};

}  // namespace syncline::warehouse
