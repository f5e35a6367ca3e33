// warehouse::batcher: group commit for sinks. Writers from many concurrent runs submit one item
// each and are suspended; the batcher hands the waiting items to the sink's flush function in one
// batch (one transaction, one request) when `max_rows` wait or the oldest has waited `max_delay`,
// and resumes every writer with its own item's result only after the flush finished. A run is
// therefore marked done only once its row is durable, yet a busy sink pays one commit per batch.
#pragma once

#include <syncline/connectors/warehouse/batch_options.hpp>
#include <syncline/connectors/warehouse/batched_sink.hpp>
#include <syncline/core/result.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace syncline::warehouse {

template <class Item>
class batcher final : public detail::row_queue<Item> {
 public:
  // Writes one batch; returns one result per item, in order. Runs on the batcher's strand, one
  // flush at a time, so a flush function needs no locking of its own.
  using flush_function =
      std::function<boost::asio::awaitable<std::vector<result<void>>>(std::vector<Item>&)>;

  batcher(boost::asio::any_io_executor ex, batch_options options, flush_function flush)
      : state_(std::make_shared<state>(std::move(ex), options, std::move(flush))) {
    if (state_->options.max_rows == 0) state_->options.max_rows = 1;
  }
  batcher(const batcher&) = delete;
  batcher& operator=(const batcher&) = delete;

  // Items not yet handed to a flush fail with errc::cancelled. A flush already running keeps
  // the state alive and finishes, but its flush function must outlive it (the sink owns both).
  ~batcher() override {
    auto st = state_;
    boost::asio::dispatch(st->strand, [st] { st->close(); });
  }

  batch_statistics statistics() const noexcept override {
    return {state_->flushes.load(std::memory_order_relaxed),
            state_->rows.load(std::memory_order_relaxed)};
  }

  // Resumes once the batch holding `item` is written, with that item's own result. Callable
  // from any executor and thread; the caller is resumed on its own executor.
  boost::asio::awaitable<result<void>> submit(Item item) override {
    // The initiation holds plain pointers: with g++ 12, an initiation lambda owning a
    // shared_ptr was destroyed twice inside use_awaitable's frame (caught by ASan). `st` and
    // `item` live in this coroutine's frame until the completion resumes it.
    std::shared_ptr<state> st = state_;
    co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                   void(result<void>)>(initiation{st.get(), &item},
                                                                       boost::asio::use_awaitable);
  }

 private:
  using completion = boost::asio::any_completion_handler<void(result<void>)>;
  using clock = std::chrono::steady_clock;

  struct waiter {
    completion handler;
    boost::asio::any_io_executor caller;  // tracked, so the caller's context keeps running
    clock::time_point since{};
  };

  struct state : std::enable_shared_from_this<state> {
    state(boost::asio::any_io_executor ex, batch_options o, flush_function f)
        : strand(boost::asio::make_strand(std::move(ex))),
          timer(strand),
          options(o),
          flush(std::move(f)) {}

    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    batch_options options;
    flush_function flush;
    std::vector<Item> items;  // waiting, in arrival order; waiters[i] belongs to items[i]
    std::vector<waiter> waiters;
    bool flushing = false;
    bool closed = false;
    std::size_t timer_generation = 0;  // a stale timer completion is recognised and ignored
    bool timer_armed = false;
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> rows{0};

    static void complete(waiter& w, result<void> r) {
      auto ex = w.caller;
      boost::asio::post(ex, [h = std::move(w.handler), r = std::move(r)]() mutable {
        std::move(h)(std::move(r));
      });
    }

    void enqueue(Item item, waiter w) {
      if (closed) {
        complete(w, make_error(errc::cancelled,
                               "the warehouse sink was destroyed before the "
                               "row was written"));
        return;
      }
      w.since = clock::now();
      items.push_back(std::move(item));
      waiters.push_back(std::move(w));
      schedule();
    }

    // Flush now if the batch is full or its oldest row is due; otherwise wake up when it is.
    void schedule() {
      if (flushing || closed || items.empty()) return;
      const auto due = waiters.front().since + options.max_delay;
      if (items.size() >= options.max_rows || clock::now() >= due) {
        start_flush();
        return;
      }
      if (timer_armed) return;
      timer_armed = true;
      const std::size_t generation = ++timer_generation;
      timer.expires_at(due);
      timer.async_wait([self = this->shared_from_this(), generation](auto) {
        if (generation != self->timer_generation) return;
        self->timer_armed = false;
        self->schedule();
      });
    }

    void start_flush() {
      flushing = true;
      if (timer_armed) {
        timer_armed = false;
        ++timer_generation;
        timer.cancel();
      }
      const std::size_t n = std::min(items.size(), options.max_rows);
      flushes.fetch_add(1, std::memory_order_relaxed);
      rows.fetch_add(n, std::memory_order_relaxed);
      auto batch_items = take(items, n);
      auto batch_waiters = take(waiters, n);
      boost::asio::co_spawn(
          strand,
          [self = this->shared_from_this(), batch_items = std::move(batch_items),
           batch_waiters = std::move(batch_waiters)]() mutable -> boost::asio::awaitable<void> {
            std::vector<result<void>> results;
            try {
              results = co_await self->flush(batch_items);
            } catch (const std::exception& e) {
              results.assign(
                  batch_items.size(),
                  make_error(errc::internal, std::string("warehouse flush threw: ") + e.what()));
            }
            if (results.size() != batch_waiters.size()) {
              results.assign(
                  batch_waiters.size(),
                  make_error(errc::internal, "warehouse flush returned " +
                                                 std::to_string(results.size()) + " results for " +
                                                 std::to_string(batch_waiters.size()) + " rows"));
            }
            for (std::size_t i = 0; i < batch_waiters.size(); ++i) {
              complete(batch_waiters[i], std::move(results[i]));
            }
            self->flushing = false;
            self->schedule();
          },
          boost::asio::detached);
    }

    void close() {
      closed = true;
      ++timer_generation;
      timer.cancel();
      for (auto& w : waiters) {
        complete(w, make_error(errc::cancelled,
                               "the warehouse sink was destroyed before the row "
                               "was written"));
      }
      waiters.clear();
      items.clear();
    }

    template <class T>
    static std::vector<T> take(std::vector<T>& from, std::size_t n) {
      std::vector<T> out;
      out.reserve(n);
      for (std::size_t i = 0; i < n; ++i) out.push_back(std::move(from[i]));
      from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
      return out;
    }
  };

  struct initiation {
    state* st;
    Item* item;
    template <class Handler>
    void operator()(Handler&& handler) const {
      auto caller = boost::asio::get_associated_executor(handler, st->strand);
      waiter w{completion(std::forward<Handler>(handler)),
               boost::asio::prefer(boost::asio::any_io_executor(caller),
                                   boost::asio::execution::outstanding_work.tracked)};
      boost::asio::dispatch(
          st->strand, [st = st->shared_from_this(), item = std::move(*item),
                       w = std::move(w)]() mutable { st->enqueue(std::move(item), std::move(w)); });
    }
  };

  std::shared_ptr<state> state_;
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
