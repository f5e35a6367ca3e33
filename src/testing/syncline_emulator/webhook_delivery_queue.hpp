// testing::webhook_delivery_queue: the webhooks waiting to be sent, in due order, with Shopify's
// retry schedule and the injected faults (duplicate, reorder, delay, wrong signature). It is pure
// bookkeeping driven by the caller's clock — a test can step it by hand; webhook_dispatcher
// drives it asynchronously. Thread-safe: the API handlers enqueue while the dispatcher sends.
#pragma once

#include <syncline/http/hmac.hpp>
#include <syncline/testing/shopify_faults.hpp>
#include <syncline/testing/webhook_delivery.hpp>
#include <syncline/testing/webhook_retry_schedule.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::testing {

class webhook_delivery_queue {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // Attempts kept for inspection; older ones are dropped so a long soak run stays bounded.
  static constexpr std::size_t max_attempt_log = 100000;

  explicit webhook_delivery_queue(webhook_retry_schedule schedule = {}, std::uint64_t seed = 0)
      : schedule_(std::move(schedule)), rng_(seed ? seed : std::random_device{}()) {}

  webhook_delivery_queue(const webhook_delivery_queue&) = delete;
  webhook_delivery_queue& operator=(const webhook_delivery_queue&) = delete;

  const webhook_retry_schedule& schedule() const noexcept { return schedule_; }

  void set_faults(const std::string& shop_domain, webhook_faults f) {
    std::lock_guard lock(mutex_);
    faults_[shop_domain] = f;
  }
  webhook_faults faults(const std::string& shop_domain) const {
    std::lock_guard lock(mutex_);
    auto it = faults_.find(shop_domain);
    return it == faults_.end() ? webhook_faults{} : it->second;
  }

  // Queues the first try of `d` at `now`, applying the shop's faults.
  void enqueue(webhook_delivery d, time_point now) {
    {
      std::lock_guard lock(mutex_);
      d.due = now;
      d.attempts = 0;
      auto& f = faults_[d.shop_domain];
      if (take(f.wrong_signature_next) || chance(f.wrong_signature_rate)) sign_wrongly(d);
      const bool delayed = take(f.delay_next) || chance(f.delay_rate);
      if (delayed) d.due += f.delay;
      const std::string shop = d.shop_domain;
      std::vector<webhook_delivery> copies{std::move(d)};
      if (take(f.duplicate_next) || chance(f.duplicate_rate)) {
        webhook_delivery dup = copies.front();
        dup.duplicate = true;  // same due time, next sequence: right behind its original
        copies.push_back(std::move(dup));
      }
      for (auto& c : copies) {
        c.sequence = ++sequence_;
        if (f.reorder_next > 0) {
          held_[c.shop_domain].push_back(std::move(c));
        } else {
          pending_.emplace(key{c.due, c.sequence}, std::move(c));
        }
      }
      if (f.reorder_next > 0 && take(f.reorder_next) && f.reorder_next == 0)
        release_held_locked(shop, now);
    }
    notify();
  }

  // Releases every held (reorder) delivery, newest first; returns how many.
  std::size_t release_held(time_point now) {
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex_);
      std::vector<std::string> shops;
      for (auto& [shop, list] : held_) shops.push_back(shop);
      for (auto& shop : shops) n += release_held_locked(shop, now);
    }
    if (n) notify();
    return n;
  }

  // Removes and returns what is due at `now`, in due order (ties in enqueue order): at most
  // `most`.
  std::vector<webhook_delivery> take_due(time_point now,
                                         std::size_t most = static_cast<std::size_t>(-1)) {
    std::lock_guard lock(mutex_);
    std::vector<webhook_delivery> out;
    while (out.size() < most && !pending_.empty() && pending_.begin()->first.due <= now) {
      out.push_back(std::move(pending_.begin()->second));
      pending_.erase(pending_.begin());
    }
    in_flight_ += out.size();
    return out;
  }

  std::optional<time_point> next_due() const {
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return std::nullopt;
    return pending_.begin()->first.due;
  }

  // Records the outcome of one try of `d` (from take_due) and queues its retry when one is left.
  // `status` is the subscriber's answer (any 2xx succeeds); nullopt with `error` when none came.
  void complete(webhook_delivery d, std::optional<unsigned> status, std::string error,
                time_point now) {
    std::optional<webhook_delivery> gave_up;
    std::function<void(const webhook_delivery&)> exhausted;
    {
      std::lock_guard lock(mutex_);
      if (in_flight_ > 0) --in_flight_;
      ++d.attempts;
      delivery_attempt a{d.webhook_id, d.event_id,  d.shop_domain,     d.topic, d.address,
                         d.attempts,   d.duplicate, d.wrong_signature, status,  std::move(error),
                         now};
      const bool ok = a.succeeded();
      attempts_.push_back(std::move(a));
      if (attempts_.size() > max_attempt_log) attempts_.pop_front();
      if (!ok) {
        if (auto wait = schedule_.delay_after(d.attempts)) {
          d.due = now + std::chrono::duration_cast<std::chrono::system_clock::duration>(*wait);
          pending_.emplace(key{d.due, d.sequence}, std::move(d));
        } else {
          failed_.push_back(d);
          gave_up = std::move(d);
          exhausted = on_exhausted_;
        }
      }
    }
    if (gave_up && exhausted) exhausted(*gave_up);
    notify();
  }

  std::vector<delivery_attempt> attempts() const {
    std::lock_guard lock(mutex_);
    return {attempts_.begin(), attempts_.end()};
  }
  // Deliveries whose every retry failed.
  std::vector<webhook_delivery> failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  // Queued deliveries, held ones included.
  std::size_t pending() const {
    std::lock_guard lock(mutex_);
    std::size_t n = pending_.size();
    for (auto& [shop, list] : held_) n += list.size();
    return n;
  }
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }
  // Nothing queued, held or being sent.
  bool idle() const { return pending() == 0 && in_flight() == 0; }

  // Called (without the queue's lock held) whenever something was queued or rescheduled.
  void on_change(std::function<void()> f) {
    std::lock_guard lock(mutex_);
    on_change_ = std::move(f);
  }
  // Called (without the queue's lock held) when a delivery's last retry failed.
  void on_exhausted(std::function<void(const webhook_delivery&)> f) {
    std::lock_guard lock(mutex_);
    on_exhausted_ = std::move(f);
  }

  // Forgets queued deliveries and history (not faults or callbacks).
  void clear() {
    std::lock_guard lock(mutex_);
    pending_.clear();
    held_.clear();
    attempts_.clear();
    failed_.clear();
  }

 private:
  struct key {
    time_point due;
    std::uint64_t sequence;
    friend bool operator<(const key& a, const key& b) {
      return a.due != b.due ? a.due < b.due : a.sequence < b.sequence;
    }
  };

  static bool take(unsigned& counter) {
    if (counter == 0) return false;
    --counter;
    return true;
  }
  bool chance(double p) {
    if (!(p > 0)) return false;
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
  }
  static void sign_wrongly(webhook_delivery& d) {
    const std::string right = d.hmac;
    d.hmac = http::hmac_sha256_base64("syncline-emulator: not the client secret", d.body);
    if (d.hmac == right) d.hmac = http::hmac_sha256_base64("syncline-emulator: wrong key", d.body);
    d.wrong_signature = true;
  }
  std::size_t release_held_locked(const std::string& shop, time_point now) {
    auto it = held_.find(shop);
    if (it == held_.end()) return 0;
    auto list = std::move(it->second);
    held_.erase(it);
    // Newest first: fresh sequence numbers in reverse order put the last held one in front.
    for (auto r = list.rbegin(); r != list.rend(); ++r) {
      r->due = std::max(r->due, now);
      r->sequence = ++sequence_;
      pending_.emplace(key{r->due, r->sequence}, std::move(*r));
    }
    return list.size();
  }
  void notify() {
    std::function<void()> f;
    {
      std::lock_guard lock(mutex_);
      f = on_change_;
    }
    if (f) f();
  }

  webhook_retry_schedule schedule_;
  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  std::uint64_t sequence_ = 0;
  std::map<key, webhook_delivery> pending_;
  std::map<std::string, std::vector<webhook_delivery>> held_;
  std::map<std::string, webhook_faults> faults_;
  std::size_t in_flight_ = 0;
  std::deque<delivery_attempt> attempts_;
  std::vector<webhook_delivery> failed_;
  std::function<void()> on_change_;
  std::function<void(const webhook_delivery&)> on_exhausted_;
};

}  // namespace syncline::testing
