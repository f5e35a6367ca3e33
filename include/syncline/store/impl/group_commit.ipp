// The bodies of store::group_commit: admission and the writer thread. Compiled once in separate
// mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/store/group_commit.hpp>

namespace syncline::store {

SYNCLINE_DECL boost::asio::awaitable<result<enqueue_result>> group_commit::submit(new_run run) {
  co_return co_await async_submit(std::move(run), boost::asio::use_awaitable);
}

SYNCLINE_DECL void group_commit::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

SYNCLINE_DECL std::optional<::syncline::error> group_commit::admit(waiter& w) {
  if (auto v = validate(w.run); !v) return std::move(v).error();
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return make_error(errc::unavailable, "group commit: stopped; the run was not queued");
    }
    if (pending_ >= opts_.max_pending) {
      return make_error(errc::unavailable,
                        "group commit: " + std::to_string(pending_) +
                            " events are already waiting to be committed (max_pending); the "
                            "run was not queued, retry later");
    }
    queue_.push_back(std::move(w));
    ++pending_;
  }
  wake_.notify_one();
  return std::nullopt;
}

SYNCLINE_DECL result<enqueue_result> group_commit::answer_for(
    const result<std::vector<enqueue_result>>& committed, std::size_t i) {
  if (!committed) return committed.error();
  if (i >= committed->size()) {
    return make_error(errc::internal, "group commit: the store answered " +
                                          std::to_string(committed->size()) + " of the runs");
  }
  const enqueue_result& r = (*committed)[i];
  if (r.kind == enqueue_result::queue_full) {
    return make_error(errc::unavailable,
                      "run queue is full (max_unfinished_runs reached); the run was not "
                      "queued, retry later");
  }
  return r;
}

SYNCLINE_DECL result<std::vector<enqueue_result>> group_commit::commit(
    std::span<const new_run> runs) {
  try {
    return store_.enqueue(runs);
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("group commit: enqueue threw: ") + e.what());
  } catch (...) {
    return make_error(errc::internal, "group commit: enqueue threw a non-standard exception");
  }
}

SYNCLINE_DECL void group_commit::write_loop() {
  std::vector<waiter> batch;
  std::vector<new_run> runs;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every submit has its answer
      const std::size_t n = std::min(queue_.size(), opts_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    runs.clear();
    for (auto& w : batch) runs.push_back(std::move(w.run));
    const auto committed = commit(runs);
    {
      std::lock_guard lock(mu_);
      pending_ -= batch.size();
      stats_.batches += 1;
      stats_.runs += batch.size();
      stats_.largest_batch = std::max(stats_.largest_batch, batch.size());
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].handler->answer(answer_for(committed, i));
    }
    batch.clear();
  }
}

}  // namespace syncline::store
