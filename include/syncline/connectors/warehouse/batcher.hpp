// warehouse::batcher: a sink's group commit. Writers from many concurrent runs submit one row
// each and are suspended; the sink's writer gets the waiting rows in one batch (one transaction,
// one request) when `max_rows` wait or the oldest has waited `max_delay`, and every writer
// resumes with its own row's result only after the batch is written. A run is therefore marked
// done only once its row is durable, yet a busy sink pays one commit per batch.
//
// The mechanism is syncline's one group commit (core/detail/group_commit_queue.hpp, which the
// store's enqueue uses too); this adapts it to a sink: batch_options, batch_statistics, and
// destroying the sink cancels the rows that wait.
#pragma once

#include <syncline/connectors/warehouse/batch_options.hpp>
#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/core/detail/group_commit_queue.hpp>
#include <syncline/core/result.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <utility>
#include <vector>

namespace syncline::warehouse {

template <class Item>
class batcher final : public detail::row_queue<Item> {
  using queue = syncline::detail::group_commit_queue<Item, result<void>>;

 public:
  // Writes one batch; returns one result per item, in order. Runs on the batcher's strand, one
  // flush at a time, so a flush function needs no locking of its own.
  using flush_function = typename queue::flush_function;

  batcher(boost::asio::any_io_executor ex, batch_options options, flush_function flush)
      : queue_(std::move(ex), queue_options(options), std::move(flush)) {}

  // Rows not yet handed to a flush fail with errc::cancelled. A flush already running finishes,
  // but its flush function must outlive it (the sink owns both).
  ~batcher() override = default;

  batch_statistics statistics() const noexcept override {
    const auto s = queue_.statistics();
    return {s.batches, s.items};
  }

  // Resumes once the batch holding `item` is written, with that item's own result. Callable
  // from any executor and thread; the caller is resumed on its own executor.
  boost::asio::awaitable<result<void>> submit(Item item) override {
    return queue_.submit(std::move(item));
  }

 private:
  static typename queue::options queue_options(const batch_options& o) {
    const auto dropped =
        make_error(errc::cancelled, "the warehouse sink was destroyed before the row was written");
    return {.max_batch = o.max_rows,
            .max_delay = o.max_delay,
            .max_pending = 0,
            .closed = dropped,
            .full = dropped,  // no max_pending: never given
            .cancelled = dropped};
  }

  queue queue_;
};

namespace detail {

template <class Writer>
std::unique_ptr<row_queue<typename Writer::item>> make_row_queue(boost::asio::any_io_executor ex,
                                                                 batch_options batch,
                                                                 std::shared_ptr<Writer> writer) {
  return std::make_unique<batcher<typename Writer::item>>(
      std::move(ex), batch, [writer = std::move(writer)](std::vector<typename Writer::item>& rows) {
        return writer->write(rows);
      });
}

}  // namespace detail

}  // namespace syncline::warehouse
