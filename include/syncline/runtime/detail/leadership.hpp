// The engine's leadership: which of the engines sharing one database runs the work that must run
// once (polls and schedules: role "sources"; retention: role "prune"). Asks the store for both
// roles at start and every leader_check after, and tells the sources and the executor what this
// engine holds. The store decides and proves (store::lead); nothing is decided here. Stands on
// the engine context, the sources and the executor.
#pragma once

#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/executor.hpp>
#include <syncline/runtime/detail/sources.hpp>
#include <syncline/runtime/log.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <memory>
#include <string_view>

namespace syncline::detail {

class leadership {
 public:
  static constexpr std::string_view sources_role = "sources";
  static constexpr std::string_view prune_role = "prune";

  leadership(engine_context& ctx, sources& src, executor& exec)
      : ctx_(ctx),
        sources_(src),
        executor_(exec),
        timer_(boost::asio::make_strand(ctx_.io().context())) {}

  leadership(const leadership&) = delete;
  leadership& operator=(const leadership&) = delete;

  // Asks once now, on the caller's thread (so a lone engine starts its polls with start()), then
  // every leader_check.
  void start() {
    check();
    boost::asio::co_spawn(timer_.get_executor(), loop(), boost::asio::detached);
  }

  // Lets both roles go, so another engine takes them at its next check instead of when this
  // store is destroyed.
  void stop() {
    stopping_ = true;
    boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
    sources_.set_leading(false);
    executor_.set_pruning(false);
    // On the store thread, after a check that may be running there: it cannot take a role back.
    boost::asio::post(ctx_.store_thread(), [this] {
      for (auto role : {sources_role, prune_role}) {
        if (auto r = ctx_.store()->resign(role); !r) {
          ctx_.log(log_level::warn, "giving a role up failed; it is free when this store closes",
                   {{"role", role}, {"error", to_string(r.error())}});
        }
      }
    });
  }

  bool leads_sources() const { return sources_.leading(); }

 private:
  boost::asio::awaitable<void> loop() {
    while (!stopping_) {
      timer_.expires_after(ctx_.opts().leader_check);
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (stopping_) co_return;
      co_await ctx_.on_store([this] {
        check();
        return result<void>{};
      });
    }
  }

  // A store that cannot answer keeps what it had: losing the sources for a moment is as wrong as
  // keeping them; the cursors' fencing makes a stale leader harmless.
  void check() {
    if (stopping_) return;
    auto src = ctx_.store()->lead(sources_role);
    auto prune = ctx_.store()->lead(prune_role);
    if (!src || !prune) {
      ctx_.metrics().store_failed();
      ctx_.log(log_level::warn, "asking the store for the engine roles failed",
               {{"error", to_string(!src ? src.error() : prune.error())}});
    }
    if (src && *src != sources_.leading()) {
      ctx_.log(log_level::info,
               *src ? "this engine runs the polls and schedules now"
                    : "another engine runs the polls and schedules now",
               {{"role", sources_role}});
      sources_.set_leading(*src);
    }
    if (prune) executor_.set_pruning(*prune);
  }

  engine_context& ctx_;
  sources& sources_;
  executor& executor_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopping_{false};
};

}  // namespace syncline::detail
