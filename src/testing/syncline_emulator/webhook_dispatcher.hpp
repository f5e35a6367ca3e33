// testing::webhook_dispatcher: sends what the webhook_delivery_queue has due, through an
// injectable sender, and records each outcome so the queue schedules Shopify's retries. It
// sleeps until the next delivery falls due and wakes when something is queued. By default
// deliveries go out one at a time in due order, so without injected faults subscribers see
// events in order; with `concurrency` above one, up to that many are in flight at once, as
// Shopify sends them (it keeps no order between deliveries).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/message.hpp>
#include <syncline/testing/emulator_clock.hpp>
#include <syncline_emulator/webhook_delivery_queue.hpp>
#include <syncline_emulator/webhook_request.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace syncline::testing {

// Sends one delivery: the subscriber's HTTP status, or an error when no answer came.
using webhook_sender =
    std::function<boost::asio::awaitable<result<unsigned>>(std::string url, http::request request)>;

// A sender over syncline's HTTP client with Shopify's delivery limits: 1 s to connect, 5 s in
// all, no retries of its own (the queue's schedule is the retry policy).
inline webhook_sender http_webhook_sender(std::shared_ptr<http::client> client) {
  return [client = std::move(client)](
             std::string url, http::request req) -> boost::asio::awaitable<result<unsigned>> {
    http::fields headers;
    for (const auto& f : req)
      if (f.name() != http::field::host && f.name() != http::field::content_length)
        headers.insert(f.name_string(), f.value());
    http::request_options o;
    o.connect_timeout = std::chrono::seconds(1);
    o.timeout = std::chrono::seconds(5);
    o.retry = http::request_retry::none();
    auto keep = client;  // the lambda may be gone when the coroutine resumes
    auto res = co_await keep->post(url, std::move(req.body()), std::move(headers), o);
    if (!res) co_return std::move(res).error();
    co_return res->result_int();
  };
}

class webhook_dispatcher {
 public:
  // `queue` is shared so that a delivery still being sent when its owner goes away can record
  // its outcome safely.
  webhook_dispatcher(boost::asio::any_io_executor ex, std::shared_ptr<webhook_delivery_queue> queue,
                     emulator_clock clock, webhook_sender sender, std::size_t concurrency = 1)
      : shared_(std::make_shared<shared>(std::move(ex), std::move(queue), std::move(clock),
                                         std::move(sender),
                                         std::max<std::size_t>(concurrency, 1))) {}

  // A queue the caller keeps alive for as long as the dispatcher and its sends run.
  webhook_dispatcher(boost::asio::any_io_executor ex, webhook_delivery_queue& queue,
                     emulator_clock clock, webhook_sender sender, std::size_t concurrency = 1)
      : webhook_dispatcher(std::move(ex),
                           std::shared_ptr<webhook_delivery_queue>(std::shared_ptr<void>{}, &queue),
                           std::move(clock), std::move(sender), concurrency) {}

  webhook_dispatcher(const webhook_dispatcher&) = delete;
  webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;
  ~webhook_dispatcher() { stop(); }

  // Starts sending in the background; returns at once.
  void start() {
    auto s = shared_;
    if (s->running.exchange(true)) return;
    s->stopped = false;
    s->queue->on_change([w = std::weak_ptr<shared>(s)] {
      if (auto p = w.lock()) {
        p->dirty = true;
        // Wakes the loop's sleep, and deliver_due waiting for a place: a free place takes what
        // was just queued.
        boost::asio::post(p->strand, [p] {
          p->timer.cancel();
          p->place_freed.cancel();
        });
      }
    });
    boost::asio::co_spawn(s->strand, run(s), boost::asio::detached);
  }

  // Stops the background loop; a delivery being sent finishes (its outcome is still recorded).
  void stop() {
    auto s = shared_;
    if (!s->running.exchange(false)) return;
    s->stopped = true;
    s->queue->on_change({});
    boost::asio::post(s->strand, [s] { s->timer.cancel(); });
  }

  // Sends everything due now, in order; returns how many tries were made. For tests that drive
  // the queue with a manual clock instead of start().
  boost::asio::awaitable<std::size_t> deliver_due() { return deliver_due(shared_); }

 private:
  struct shared {
    shared(boost::asio::any_io_executor ex, std::shared_ptr<webhook_delivery_queue> q,
           emulator_clock c, webhook_sender s, std::size_t n)
        : strand(boost::asio::make_strand(ex)),
          timer(strand),
          queue(std::move(q)),
          clock(std::move(c)),
          sender(std::move(s)),
          place_freed(strand),
          concurrency(n) {}

    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    std::shared_ptr<webhook_delivery_queue> queue;
    emulator_clock clock;
    webhook_sender sender;
    std::atomic<bool> running{false};
    std::atomic<bool> stopped{false};
    std::atomic<bool> dirty{false};
    // Concurrent sends: counted on the strand; each that ends (and each delivery queued) cancels
    // the timer deliver_due waits on, so that a free place takes the next due delivery.
    boost::asio::steady_timer place_freed;
    std::size_t concurrency = 1;
    std::size_t sending = 0;
  };

  // One try of one delivery, its outcome recorded in the queue.
  static boost::asio::awaitable<void> send(std::shared_ptr<shared> s, webhook_delivery d) {
    result<unsigned> outcome = make_error(errc::internal, "not sent");
    try {
      outcome = co_await s->sender(d.address, webhook_request(d));
    } catch (const std::exception& e) {
      outcome = make_error(errc::internal, std::string("webhook sender threw: ") + e.what());
    }
    if (outcome)
      s->queue->complete(std::move(d), *outcome, {}, s->clock.now());
    else
      s->queue->complete(std::move(d), std::nullopt, to_string(outcome.error()), s->clock.now());
  }

  // Sends what is due: one after another, or up to `concurrency` at a time, where a place that
  // frees takes the next due delivery at once, as Shopify sends them: a slow answer holds its
  // own place only, never a group of deliveries waiting for it. Returns once every delivery it
  // started has its outcome recorded; what falls due meanwhile (a new order) joins while places
  // free.
  static boost::asio::awaitable<std::size_t> deliver_due(std::shared_ptr<shared> s) {
    if (s->concurrency == 1) {
      auto due = s->queue->take_due(s->clock.now());
      for (auto& d : due) co_await send(s, std::move(d));
      co_return due.size();
    }
    std::size_t tried = 0;
    for (;;) {
      // On the strand, as every count down below: the check and the wait that follows it see
      // the same count.
      if (!s->stopped && s->sending < s->concurrency) {
        auto due = s->queue->take_due(s->clock.now(), s->concurrency - s->sending);
        tried += due.size();
        for (auto& d : due) {
          ++s->sending;
          boost::asio::co_spawn(
              s->strand,
              [s, d = std::move(d)]() mutable -> boost::asio::awaitable<void> {
                co_await send(s, std::move(d));
                --s->sending;
                s->place_freed.cancel();
              },
              boost::asio::detached);
        }
      }
      if (s->sending == 0) co_return tried;
      s->place_freed.expires_after(std::chrono::hours(24));
      boost::system::error_code ec;
      co_await s->place_freed.async_wait(
          boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  static boost::asio::awaitable<void> run(std::shared_ptr<shared> s) {
    while (!s->stopped) {
      s->dirty = false;
      co_await deliver_due(s);
      if (s->stopped) break;
      if (s->dirty) continue;  // something was queued while sending: look again before sleeping
      auto next = s->queue->next_due();
      auto wait = std::chrono::steady_clock::duration(std::chrono::hours(24));
      if (next) {
        auto until = *next - s->clock.now();
        wait = until.count() > 0
                   ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(until)
                   : std::chrono::steady_clock::duration::zero();
        // A manual clock does not move by itself: look again now and then.
        if (s->clock.is_manual())
          wait = std::min(wait, std::chrono::steady_clock::duration(std::chrono::milliseconds(10)));
      }
      if (wait.count() == 0) continue;
      s->timer.expires_after(wait);
      boost::system::error_code ec;
      co_await s->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  std::shared_ptr<shared> shared_;
};

}  // namespace syncline::testing
