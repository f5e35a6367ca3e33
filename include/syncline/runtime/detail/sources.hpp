// The engine's sources: the polls and schedules of every installation, each a coroutine on its
// own strand with its cursor in the store. A poll page's runs and a schedule's ticks are queued
// through the intake with their cursor, in one transaction. Stands on the engine context, the
// registry and the intake.
//
// Only one engine among those sharing a database runs them: the one whose store holds the
// "sources" role (store::lead, asked by the leadership part). set_leading(true) starts the
// sources of every installation, set_leading(false) cancels them. Every cursor write says what
// it read (store::cursor_update::after), so an engine that lost the role without knowing it yet
// cannot move a cursor the new leader moved: no page is queued twice, none is skipped.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/intake.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/schedule_ticks.hpp>
#include <syncline/store/run.hpp>

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
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace syncline::detail {

class sources {
 public:
  sources(engine_context& ctx, const registry& reg, intake& in)
      : ctx_(ctx), registry_(reg), intake_(in) {}

  sources(const sources&) = delete;
  sources& operator=(const sources&) = delete;

  // Starts the polls and schedules of `inst`, if this engine leads and is not stopping, and they
  // do not run already.
  void start(const std::shared_ptr<installation>& inst) {
    const auto runners = registry_.sources_of(inst->integration);
    for (const auto* r : runners) {
      auto s =
          std::make_shared<source_state>(boost::asio::make_strand(ctx_.io().context()), inst, r);
      {
        std::lock_guard lock(mu_);
        if (stopping_ || !leading_) return;
        const bool running = std::ranges::any_of(sources_, [&](const auto& other) {
          return other->inst == inst && other->runner == r && !other->cancelled;
        });
        if (running) continue;
        sources_.push_back(s);
      }
      if (r->kind == trigger_kind::poll)
        boost::asio::co_spawn(s->timer.get_executor(), poll_loop(s), boost::asio::detached);
      else
        boost::asio::co_spawn(s->timer.get_executor(), schedule_loop(s), boost::asio::detached);
    }
  }

  // Cancels the sources of one installation (all when integration is empty). `keep` is spared.
  void cancel(std::string_view integration, std::string_view tenant_id, const installation* keep) {
    std::lock_guard lock(mu_);
    std::erase_if(sources_, [&](const std::shared_ptr<source_state>& s) {
      if (!integration.empty() && (s->inst->integration != integration ||
                                   s->inst->tenant != tenant_id || s->inst.get() == keep))
        return false;
      s->cancelled = true;
      boost::asio::post(s->timer.get_executor(), [s] { s->timer.cancel(); });
      return true;
    });
  }

  // Whether this engine holds the "sources" role. Gaining it starts the sources of every
  // installation; losing it cancels them (they stop at their next step).
  void set_leading(bool leading) {
    {
      std::lock_guard lock(mu_);
      if (leading_ == leading) return;
      leading_ = leading;
    }
    if (!leading) {
      cancel({}, {}, nullptr);
      return;
    }
    for (const auto& inst : registry_.installations()) start(inst);
  }

  bool leading() const {
    std::lock_guard lock(mu_);
    return leading_;
  }

  // No source starts from now on; every running one is cancelled.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cancel({}, {}, nullptr);
  }

  // After stop(): waits until every poll and schedule coroutine has ended, or until `deadline`;
  // answers whether they all did. A page being fetched when stop() came is still committed (or
  // refused) before this returns, so the engine gives up the sources role only once nothing of
  // its own can move a cursor any more.
  bool wait_ended(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(running_->mu);
    return running_->cv.wait_until(lock, deadline, [&] { return running_->n == 0; });
  }

  // Once the io threads are stopped: the sources' timers go while the io_context lives.
  void release() {
    std::lock_guard lock(mu_);
    sources_.clear();
  }

 private:
  // The source coroutines alive, shared with their guards: a coroutine abandoned at stop is
  // destroyed with the io_context, after this object, and still counts itself out.
  struct running_count {
    std::mutex mu;
    std::condition_variable cv;
    std::int64_t n = 0;  // under mu
  };
  class running_guard {
   public:
    explicit running_guard(std::shared_ptr<running_count> c) : c_(std::move(c)) {
      std::lock_guard lock(c_->mu);
      ++c_->n;
    }
    running_guard(const running_guard&) = delete;
    running_guard& operator=(const running_guard&) = delete;
    ~running_guard() {
      {
        std::lock_guard lock(c_->mu);
        --c_->n;
      }
      c_->cv.notify_all();
    }

   private:
    std::shared_ptr<running_count> c_;
  };

  // A poll or schedule of one installation.
  struct source_state {
    source_state(boost::asio::any_io_executor ex, std::shared_ptr<installation> i,
                 const detail::runner* r)
        : timer(std::move(ex)), inst(std::move(i)), runner(r) {}
    boost::asio::steady_timer timer;
    std::shared_ptr<installation> inst;
    const detail::runner* runner;
    std::atomic<bool> cancelled{false};
  };

  store::time_point now() const { return ctx_.now(); }

  // Sleeps on the source's timer until `target` by the engine's clock, or until cancelled.
  boost::asio::awaitable<void> sleep_until(source_state& s, store::time_point target) {
    while (!s.cancelled) {
      const auto left = target - now();
      if (left <= store::time_point::duration::zero()) co_return;
      s.timer.expires_after(std::min<std::chrono::steady_clock::duration>(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(left),
          std::chrono::hours(1)));
      boost::system::error_code ec;
      co_await s.timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  run_context source_context(const source_state& s, std::string_view what) {
    run_context ctx(run_info{s.inst->tenant, std::string(what), s.inst->integration, 1});
    ctx_.provide_to(ctx);
    s.inst->provide(ctx);
    return ctx;
  }

  static store::cursor_key cursor_of(const source_state& s) {
    return {s.inst->tenant, s.inst->integration,
            std::string(s.runner->workflow) + "/" + std::string(s.runner->trigger)};
  }

  boost::asio::awaitable<void> poll_loop(std::shared_ptr<source_state> s) {
    running_guard counted(running_);
    bool first = true;
    while (!s->cancelled && !stopping_) {
      if (!first) {
        auto next = next_tick_after(*s->runner->spec(), now());
        if (!next) co_return;
        co_await sleep_until(*s, *next);
        if (s->cancelled || stopping_) co_return;
      }
      first = false;
      co_await poll_once(*s);
    }
  }

  // Fetches pages from the stored cursor; each page's runs and its cursor are committed in one
  // transaction. On any failure the cursor stays where the last committed page left it.
  boost::asio::awaitable<void> poll_once(source_state& s) {
    const store::cursor_key key = cursor_of(s);
    auto read = [this, key] { return ctx_.store()->get_cursor(key); };
    auto stored = co_await ctx_.on_store(std::move(read));
    if (!stored) {
      ctx_.metrics().store_failed();
      ctx_.log(log_level::warn, "poll: reading the cursor failed",
               {{"error", to_string(stored.error())}});
      co_return;
    }
    std::optional<std::string> as_read = *stored;  // what the next cursor write expects
    std::string cursor = stored->value_or(std::string());
    const std::size_t max_pages = ctx_.opts().max_pages_per_poll;
    for (std::size_t page_no = 0; page_no < max_pages && !s.cancelled; ++page_no) {
      intake::guard held = intake_.hold();
      run_context ctx = source_context(s, "poll");
      result<polled_page> page = make_error(errc::internal, "not fetched");
      std::string escaped;
      try {
        page = co_await s.runner->fetch(ctx, cursor);
      } catch (const std::exception& e) {
        escaped = std::string("an exception escaped fetch: ") + e.what();
      }
      if (!escaped.empty()) page = make_error(errc::internal, std::move(escaped));
      if (!page) {
        ctx_.metrics().poll_failed();
        ctx_.log(log_level::warn,
                 "poll failed; the cursor stays, the page is fetched again next time",
                 {{"tenant", s.inst->tenant},
                  {"workflow", s.runner->workflow},
                  {"error", ctx_.redact(to_string(page.error()))}});
        co_return;
      }
      std::vector<store::new_run> runs;
      runs.reserve(page->items.size());
      for (auto& item : page->items)
        runs.push_back(
            make_run(*s.runner, s.inst->tenant, item.dedupe_key, std::move(item.payload)));
      const store::cursor_update update{key, page->cursor, store::cursor_read{as_read}};
      auto committed = co_await intake_.enqueue_with_cursor(trigger_kind::poll, runs, update);
      if (!committed && committed.error().category == errc::conflict) {
        ctx_.log(log_level::info,
                 "poll: another engine moved the cursor (it leads now); this page is dropped",
                 {{"tenant", s.inst->tenant}, {"workflow", s.runner->workflow}});
        co_return;
      }
      if (!committed) {
        ctx_.metrics().rejected(committed.error().category == errc::unavailable
                                    ? rejection::queue_full
                                    : rejection::storage);
        ctx_.log(log_level::warn, "poll page not queued; the cursor stays",
                 {{"tenant", s.inst->tenant},
                  {"workflow", s.runner->workflow},
                  {"error", to_string(committed.error())}});
        co_return;
      }
      cursor = page->cursor;
      as_read = cursor;
      if (!page->more) co_return;
    }
  }

  // A schedule's last tick, and its cursor text as stored: what the next write expects to find.
  struct last_tick {
    std::optional<store::time_point> at;
    std::string text;
  };

  // Reads the last tick; the first time, stores now as the last tick (a schedule installed today
  // has missed nothing). Read again after another engine moved the cursor. Leaves `out.at`
  // empty only when the source was cancelled.
  boost::asio::awaitable<void> load_last_tick(source_state& s, const store::cursor_key& key,
                                              last_tick& out) {
    out = {};
    while (!out.at && !s.cancelled && !stopping_) {
      auto read = [this, key] { return ctx_.store()->get_cursor(key); };
      auto stored = co_await ctx_.on_store(std::move(read));
      if (stored && *stored) {
        if (auto at = parse_time(**stored)) out = {at, **stored};
      }
      if (stored && !out.at) {
        const auto t = now();
        const store::cursor_update first{key, time_text(t), store::cursor_read{*stored}};
        auto write = [this, first] { return ctx_.store()->set_cursor(first); };
        auto set = co_await ctx_.on_store(std::move(write));
        if (set) {
          out = {t, first.value};
        } else if (set.error().category == errc::conflict) {
          continue;  // another engine stored its first tick meanwhile: read that one
        }
      }
      if (!out.at) {
        ctx_.log(log_level::warn, "schedule: reading its last tick failed; trying again",
                 {{"workflow", s.runner->workflow}});
        co_await sleep_until(s, now() + std::chrono::seconds(1));
      }
    }
  }

  boost::asio::awaitable<void> schedule_loop(std::shared_ptr<source_state> s) {
    running_guard counted(running_);
    const store::cursor_key key = cursor_of(*s);
    const schedule_spec& spec = *s->runner->spec();
    const auto& opts = ctx_.opts();
    last_tick last;
    co_await load_last_tick(*s, key, last);
    while (!s->cancelled && !stopping_) {
      const auto t = now();
      if (!last.at) co_return;  // cancelled while reading
      auto first_due = next_tick_after(spec, *last.at);
      if (!first_due) co_return;
      if (*first_due <= t) {
        intake::guard held = intake_.hold();
        auto ticks =
            due_ticks(spec, *last.at, t, opts.missed, opts.tick_grace, opts.max_missed_ticks);
        std::vector<store::new_run> runs;
        for (const auto& at : ticks) {
          runs.push_back(make_run(*s->runner, s->inst->tenant, time_text(at),
                                  payload_codec<tick>::encode(tick{at})));
        }
        const store::cursor_update update{key, time_text(t), store::cursor_read{last.text}};
        auto committed = co_await intake_.enqueue_with_cursor(trigger_kind::schedule, runs, update);
        if (!committed && committed.error().category == errc::conflict) {
          ctx_.log(log_level::info,
                   "schedule: another engine queued these ticks (it leads now); reading its cursor",
                   {{"workflow", s->runner->workflow}});
          co_await load_last_tick(*s, key, last);
          continue;
        }
        if (!committed) {
          ctx_.log(log_level::warn, "schedule tick not queued; trying again",
                   {{"workflow", s->runner->workflow}, {"error", to_string(committed.error())}});
          co_await sleep_until(*s, now() + std::chrono::seconds(1));
          continue;
        }
        last = {t, update.value};
      }
      auto next = next_tick_after(spec, *last.at);
      if (!next) co_return;
      co_await sleep_until(*s, *next);
    }
  }

  static std::string time_text(store::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  }
  static std::optional<store::time_point> parse_time(std::string_view text) {
    std::int64_t ns = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return store::time_point(
        std::chrono::duration_cast<store::time_point::duration>(std::chrono::nanoseconds(ns)));
  }

  engine_context& ctx_;
  const registry& registry_;
  intake& intake_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<source_state>> sources_;
  bool leading_ = false;  // under mu_
  std::atomic<bool> stopping_{false};
  std::shared_ptr<running_count> running_ = std::make_shared<running_count>();
};

}  // namespace syncline::detail
