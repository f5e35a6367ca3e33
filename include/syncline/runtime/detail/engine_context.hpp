// What every part of the engine is given (its bottom floor, with the registry): the options, the
// log and the clock, the redactor, the metrics, the durable store and the thread its calls run
// on, the io threads, and what every run and every poll is provided (the HTTP client, the
// store; the services install was given come with the installation). Built first by
// engine_core and destroyed after every part: the parts' timers and strands live on its
// io_context, and their coroutines call its store thread.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/runtime/detail/offload.hpp>
#include <syncline/runtime/engine_options.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/store/sqlite_store.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::detail {

class engine_context {
 public:
  // Opens (or creates) the database. A failure to open is kept (broken()) and returned by every
  // call of the engine, so the constructor itself cannot fail.
  explicit engine_context(engine_options options)
      : opts_(sanitized(std::move(options))),
        io_(opts_.threads, [this](std::exception_ptr e) { on_io_exception(e); }) {
    auto opened = open_store();
    if (!opened || !*opened) {
      broken_ = opened ? make_error(errc::invalid_input, "open_store returned no store")
                       : std::move(opened).error();
      log(log_level::error, "engine cannot open its database",
          {{"database", opts_.open_store ? std::string("open_store") : opts_.database.string()},
           {"error", to_string(*broken_)}});
      return;
    }
    store_ = std::move(*opened);
    if (store_->concurrent_writes()) claim_pool_.emplace(1);
    client_ = std::make_unique<http::client>(io_.executor(), opts_.client);
    redactor_.set("engine",
                  opts_.event_signing_secret.empty()
                      ? std::vector<std::string>{}
                      : std::vector<std::string>{std::string(opts_.event_signing_secret.reveal())});
  }

  engine_context(const engine_context&) = delete;
  engine_context& operator=(const engine_context&) = delete;

  const engine_options& opts() const noexcept { return opts_; }
  // Why the database could not be opened; empty when it was.
  const std::optional<::syncline::error>& broken() const noexcept { return broken_; }
  // Null when the database could not be opened.
  store::store* store() noexcept { return store_.get(); }
  engine_metrics& metrics() noexcept { return metrics_; }
  const engine_metrics& metrics() const noexcept { return metrics_; }
  redactor& secrets() noexcept { return redactor_; }
  http::io_threads& io() noexcept { return io_; }

  store::time_point now() const { return opts_.store.clock(); }

  // Whether a line of `level` is written: a caller on the hot path asks before it builds fields.
  bool logs(log_level level) const noexcept {
    return level >= opts_.level && opts_.level != log_level::off;
  }

  void log(log_level level, std::string_view message, std::initializer_list<log_field> fields) {
    if (!logs(level)) return;
    // Each value is scrubbed before the line quotes and escapes it, which would change a secret
    // holding a quote or a line break.
    std::vector<log_field> scrubbed(fields);
    for (auto& f : scrubbed) f.value = redactor_(std::move(f.value));
    opts_.log(level, format_log_line(std::chrono::system_clock::now(), level,
                                     redactor_(std::string(message)), scrubbed));
  }

  std::string redact(std::string text) const { return redactor_(std::move(text)); }

  // Runs a store call on the store thread; the awaiting coroutine resumes on its own executor.
  template <class F>
  auto on_store(F f) {
    return detail::offload(store_pool_, std::move(f));
  }
  boost::asio::thread_pool& store_thread() noexcept { return store_pool_; }
  // Runs a claim (or the next_due that follows an empty one): on a thread of its own when the
  // store's writes proceed at once (store::concurrent_writes), so the dispatcher's round trips
  // overlap the completions' on the store thread; on the store thread otherwise, where a second
  // thread would only wait for the one writer.
  template <class F>
  auto on_claim(F f) {
    return detail::offload(claim_pool_ ? *claim_pool_ : store_pool_, std::move(f));
  }
  // Before the store closes: no store call may be left running.
  void join_store_thread() {
    if (claim_pool_) claim_pool_->join();
    store_pool_.join();
  }

  // What a run and a poll are given before their installation's own (its services, credentials
  // and settings): the HTTP client and the store. Only once the database is open.
  void provide_to(run_context& ctx) {
    ctx.provide(*client_);
    ctx.provide(static_cast<store::store&>(*store_));
  }

 private:
  result<std::unique_ptr<store::store>> open_store() {
    if (opts_.open_store) return opts_.open_store();
    auto opened = store::sqlite_store::open(opts_.database, opts_.store);
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<store::store>(std::move(*opened));
  }

  static engine_options sanitized(engine_options o) {
    o.threads = std::max<std::size_t>(o.threads, 1);
    o.workers = std::max<std::size_t>(o.workers, 1);
    o.claim_batch = std::max<std::size_t>(o.claim_batch, 1);
    if (o.lease < std::chrono::milliseconds(30)) o.lease = std::chrono::milliseconds(30);
    if (o.idle_poll < std::chrono::milliseconds(1)) o.idle_poll = std::chrono::milliseconds(1);
    if (!o.store.clock) o.store.clock = store::system_now;
    if (!o.log) o.log = stderr_sink;
    return o;
  }

  void on_io_exception(std::exception_ptr e) {
    std::string what = "unknown exception";
    try {
      if (e) std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    log(log_level::error, "exception escaped a handler", {{"error", what}});
  }

  // --- members (order matters: everything a coroutine frame still touches when the io_context
  // destroys it, abandoned at stop, is declared before io_ and so outlives it)

  engine_options opts_;
  redactor redactor_;
  engine_metrics metrics_;
  std::optional<::syncline::error> broken_;
  std::unique_ptr<store::store> store_;
  // Store calls of coroutines run here; joined before the store closes.
  boost::asio::thread_pool store_pool_{1};
  std::optional<boost::asio::thread_pool> claim_pool_;  // when store::concurrent_writes()
  // Everything below uses the io_context and is destroyed before it.
  http::io_threads io_;
  std::unique_ptr<http::client> client_;
};

}  // namespace syncline::detail
