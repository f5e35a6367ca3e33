// The executor's lease keeper: one timer renews the leases of every run in flight, so a run that
// takes longer than its lease is not claimed a second time. It replaces a coroutine and a timer
// per run, which cost 15-20% of a short run's CPU (docs/perf/runtime.md, "One lease keeper").
//
// A run is held from its start to its end; the keeper looks every sixth of the lease and renews,
// in one trip to the store thread, each run whose lease was taken or renewed a third of a lease
// ago or more. So a lease is renewed when it is between a third and a half used, as often as
// before. A renewal the store refuses because the run is another worker's (conflict) or gone
// (not_found) ends the renewals of that run; its answer is then refused at completion.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/store/run.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace syncline::detail {

class lease_keeper {
  using clock = std::chrono::steady_clock;

  // Shared with each hold: a run abandoned at stop is destroyed with the io_context, after the
  // executor that owns this keeper, and still lets go of its lease here.
  struct state {
    std::mutex mu;
    struct held {
      store::claimed_run lease;  // only id and lease_token: what a renewal names
      clock::time_point renewed;
      bool renewing = true;  // false once the store said the run is no longer ours
    };
    std::unordered_map<std::int64_t, held> runs;
  };

 public:
  // A run's hold on its lease: renewed until released or destroyed.
  class hold {
   public:
    hold(std::shared_ptr<state> s, std::int64_t id) : s_(std::move(s)), id_(id) {}
    hold(const hold&) = delete;
    hold& operator=(const hold&) = delete;
    ~hold() { release(); }

    void release() {
      if (!s_) return;
      std::lock_guard lock(s_->mu);
      s_->runs.erase(id_);
      s_.reset();
    }

   private:
    std::shared_ptr<state> s_;
    std::int64_t id_;
  };

  // `strand`: where the keeper's timer and loop run (the executor's dispatch strand).
  lease_keeper(engine_context& ctx, boost::asio::any_io_executor strand)
      : ctx_(ctx), timer_(std::move(strand)) {}
  lease_keeper(const lease_keeper&) = delete;
  lease_keeper& operator=(const lease_keeper&) = delete;

  void start() {
    boost::asio::co_spawn(timer_.get_executor(), renew_loop(), boost::asio::detached);
  }

  // No renewal after this: the runs still in flight are abandoned and their leases run out, so
  // another engine takes them over. Called once no run is expected to end any more.
  void stop() {
    closed_ = true;
    boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
  }

  [[nodiscard]] hold keep(const store::claimed_run& run) {
    state::held h;
    h.lease.id = run.id;
    h.lease.lease_token = run.lease_token;
    h.renewed = clock::now();
    std::lock_guard lock(state_->mu);
    state_->runs.insert_or_assign(run.id, std::move(h));
    return hold(state_, run.id);
  }

 private:
  boost::asio::awaitable<void> renew_loop() {
    const auto every =
        std::max<clock::duration>(ctx_.opts().lease / 6, std::chrono::milliseconds(1));
    while (!closed_) {
      timer_.expires_after(every);
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (closed_) co_return;
      auto due = due_now();
      if (due.empty()) continue;
      auto renew = [this, due = std::move(due)]() mutable {
        std::vector<std::pair<std::int64_t, result<void>>> answers;
        answers.reserve(due.size());
        for (auto& lease : due)
          answers.emplace_back(lease.id, ctx_.store()->renew_lease(lease, ctx_.opts().lease));
        return answers;
      };
      auto answers = co_await ctx_.on_store(std::move(renew));
      settle(answers);
    }
  }

  // The leases a third of a lease old or older, marked renewed now (settle() marks a renewal
  // that failed for another reason than the run being no longer ours as due again).
  std::vector<store::claimed_run> due_now() {
    std::vector<store::claimed_run> due;
    const auto now = clock::now();
    const auto age = ctx_.opts().lease / 3;
    std::lock_guard lock(state_->mu);
    for (auto& [id, h] : state_->runs) {
      if (!h.renewing || now - h.renewed < age) continue;
      h.renewed = now;
      due.push_back(h.lease);
    }
    return due;
  }

  void settle(const std::vector<std::pair<std::int64_t, result<void>>>& answers) {
    for (const auto& [id, r] : answers) {
      if (r) continue;
      const bool ours_no_more =
          r.error().category == errc::conflict || r.error().category == errc::not_found;
      {
        std::lock_guard lock(state_->mu);
        auto it = state_->runs.find(id);
        // Ended meanwhile: its end, written first, is why the renewal found it no longer running.
        if (it == state_->runs.end()) continue;
        if (ours_no_more)
          it->second.renewing = false;
        else
          it->second.renewed = clock::time_point{};  // a store that failed: again at the next look
      }
      ctx_.log(log_level::warn, "lease renewal failed",
               {{"run", id}, {"error", to_string(r.error())}});
    }
  }

  engine_context& ctx_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> closed_{false};
  std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace syncline::detail
