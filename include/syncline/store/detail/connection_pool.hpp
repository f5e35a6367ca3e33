// A fixed set of SQLite connections lent out one caller at a time. sqlite_store reads through
// these so that a tenant lookup or an echo check never waits behind the writer's fsync: in WAL
// mode readers see the last committed state while a write is in progress.
#pragma once

#include <syncline/store/detail/sqlite.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace syncline::store::detail {

class connection_pool {
 public:
  explicit connection_pool(std::vector<connection> connections) : all_(std::move(connections)) {
    for (auto& c : all_) idle_.push_back(&c);
  }
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  class lease {
   public:
    lease(connection_pool& pool, connection* c) : pool_(&pool), c_(c) {}
    lease(lease&& o) noexcept : pool_(o.pool_), c_(std::exchange(o.c_, nullptr)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (c_ != nullptr) pool_->give_back(c_);
    }
    connection& operator*() const { return *c_; }
    connection* operator->() const { return c_; }

   private:
    connection_pool* pool_;
    connection* c_;
  };

  // Waits while every connection is lent: the pool's size bounds concurrent reads.
  lease acquire() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [&] { return !idle_.empty(); });
    connection* c = idle_.back();
    idle_.pop_back();
    return lease(*this, c);
  }

 private:
  void give_back(connection* c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    idle_cv_.notify_one();
  }

  std::vector<connection> all_;  // never resized after construction: idle_ points into it
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<connection*> idle_;
};

}  // namespace syncline::store::detail
