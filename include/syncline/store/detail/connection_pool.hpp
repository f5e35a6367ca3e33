// A fixed set of SQLite connections lent out one caller at a time. sqlite_store reads through
// these so that a tenant lookup or an echo check never waits behind the writer's fsync: in WAL
// mode readers see the last committed state while a write is in progress.
#pragma once

#include <syncline/sqlite/database.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace syncline::store::detail {

class connection_pool {
 public:
  explicit connection_pool(std::vector<sqlite::database> connections)
      : all_(std::move(connections)) {
    for (auto& c : all_) idle_.push_back(&c);
  }
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  class lease {
   public:
    lease(connection_pool& pool, sqlite::database* c) : pool_(&pool), c_(c) {}
    lease(lease&& o) noexcept : pool_(o.pool_), c_(std::exchange(o.c_, nullptr)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (c_ != nullptr) pool_->give_back(c_);
    }
    sqlite::database& operator*() const { return *c_; }
    sqlite::database* operator->() const { return c_; }

   private:
    connection_pool* pool_;
    sqlite::database* c_;
  };

  // Waits while every connection is lent: the pool's size bounds concurrent reads.
  lease acquire() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [&] { return !idle_.empty(); });
    sqlite::database* c = idle_.back();
    idle_.pop_back();
    return lease(*this, c);
  }

 private:
  void give_back(sqlite::database* c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    idle_cv_.notify_one();
  }

  std::vector<sqlite::database> all_;  // never resized after construction: idle_ points into it
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<sqlite::database*> idle_;
};

}  // namespace syncline::store::detail
