// The bodies of store::group_commit: its writer thread and the commit of a batch. Compiled once
// in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/store/group_commit.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <string>

namespace syncline::store {

SYNCLINE_DECL group_commit::group_commit(store& target, options opts, lease_taker taker)
    : store_(target),
      taker_(std::move(taker)),
      writer_work_(writer_context_.get_executor()),
      queue_(writer_context_.get_executor(), queue_options(opts),
             [this](std::vector<entry>& entries) { return commit(entries); }),
      writer_([this] { writer_context_.run(); }) {}

SYNCLINE_DECL group_commit::queue::options group_commit::queue_options(const options& o) {
  return {
      .max_batch = std::max<std::size_t>(o.max_batch, 1),
      .max_delay = {},  // commit whenever the writer is free: no timer, no added latency
      .max_pending = std::max<std::size_t>(o.max_pending, 1),
      .closed = make_error(errc::unavailable, "group commit: stopped; the run was not queued"),
      .full = make_error(errc::unavailable,
                         "group commit: " + std::to_string(o.max_pending) +
                             " events are already waiting to be committed (max_pending); the "
                             "run was not queued, retry later"),
      .cancelled = make_error(errc::unavailable, "group commit: stopped; the run was not queued")};
}

SYNCLINE_DECL boost::asio::awaitable<result<enqueue_result>> group_commit::submit(new_run run) {
  co_return co_await async_submit(std::move(run), boost::asio::use_awaitable);
}

SYNCLINE_DECL boost::asio::awaitable<result<group_commit::answers>> group_commit::submit_all(
    std::vector<new_run> runs) {
  co_return co_await async_submit_all(std::move(runs), boost::asio::use_awaitable);
}

SYNCLINE_DECL boost::asio::awaitable<result<group_commit::end_answers>> group_commit::finish(
    std::span<const run_completion> ends, std::span<const block_event_record> events) {
  co_return co_await async_finish(ends, events, boost::asio::use_awaitable);
}

SYNCLINE_DECL result<enqueue_result> group_commit::only_answer(result<answers> a) {
  if (!a) return std::move(a).error();
  if (a->size() != 1) {
    return make_error(errc::internal,
                      "group commit: " + std::to_string(a->size()) + " answers to one run");
  }
  return std::move(a->front());
}

SYNCLINE_DECL void group_commit::stop() {
  std::call_once(stopped_, [this] {
    queue_.close(::syncline::detail::on_close::drain);  // refuses new submits, commits the rest
    writer_work_.reset();  // run() returns once the last batch is answered
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
  });
}

SYNCLINE_DECL group_commit::statistics group_commit::stats() const {
  const auto s = queue_.statistics();
  return {s.batches, s.items, s.largest_batch};
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

SYNCLINE_DECL boost::asio::awaitable<std::vector<result<group_commit::entry_answers>>>
group_commit::commit(std::vector<entry>& entries) {
  // The entries' runs in one list for one store call; each entry then takes its share of the
  // answers back, in order. The ends are written where their submitter keeps them, or, when
  // several entries bring ends, from one list of copies.
  std::size_t total = 0;
  std::size_t total_ends = 0;
  std::size_t ending_entries = 0;
  const entry* only_ending = nullptr;
  for (const auto& entry : entries) {
    total += entry.runs.size();
    total_ends += entry.ends.size();
    if (!entry.ends.empty() || !entry.events.empty()) {
      ++ending_entries;
      only_ending = &entry;
    }
  }
  std::vector<new_run> runs;
  runs.reserve(total);
  for (auto& entry : entries)
    for (auto& run : entry.runs) runs.push_back(std::move(run));
  std::vector<run_completion> joined_ends;
  std::vector<block_event_record> joined_events;
  std::span<const run_completion> ends;
  std::span<const block_event_record> events;
  if (ending_entries == 1) {
    ends = only_ending->ends;
    events = only_ending->events;
  } else if (ending_entries > 1) {
    joined_ends.reserve(total_ends);
    for (const auto& entry : entries) {
      joined_ends.insert(joined_ends.end(), entry.ends.begin(), entry.ends.end());
      joined_events.insert(joined_events.end(), entry.events.begin(), entry.events.end());
    }
    ends = joined_ends;
    events = joined_events;
  }
  const bool ending = ending_entries > 0;
  result<std::vector<enqueue_result>> committed = std::vector<enqueue_result>{};
  end_answers ended;
  const bool taking = total > 0 && taker_.reserve && taker_.take;
  const std::size_t reserved = taking ? taker_.reserve(total) : 0;
  const lease_request lease{.worker = taker_.worker, .max = reserved, .lease = taker_.lease};
  std::vector<claimed_run> leased;
  try {
    if (ending)
      committed = store_.enqueue_and_finish(ends, events, ended, runs, lease, leased);
    else if (reserved > 0)
      committed = store_.enqueue_and_lease(runs, lease, leased);
    else
      committed = store_.enqueue(runs);
  } catch (const std::exception& e) {
    committed =
        make_error(errc::internal, std::string("group commit: a store write threw: ") + e.what());
  } catch (...) {
    committed =
        make_error(errc::internal, "group commit: a store write threw a non-standard exception");
  }
  if (ended.size() != ends.size()) {
    ended.assign(ends.size(), committed
                                  ? result<void>(make_error(
                                        errc::internal, "group commit: the store answered " +
                                                            std::to_string(ended.size()) + " of " +
                                                            std::to_string(ends.size()) + " ends"))
                                  : result<void>(committed.error()));
  }
  if (taking) {
    if (!committed) leased.clear();
    std::size_t accepted = 0;
    if (committed) {
      accepted = static_cast<std::size_t>(
          std::ranges::count(*committed, enqueue_result::accepted, &enqueue_result::kind));
    }
    const std::size_t waiting = accepted - std::min(accepted, leased.size());
    taker_.take(std::move(leased), reserved, waiting);  // before the answers: runs start sooner
  }
  std::vector<result<entry_answers>> out;
  out.reserve(entries.size());
  std::size_t next = 0;
  std::size_t next_end = 0;
  for (const auto& entry : entries) {
    entry_answers a;
    a.queued.reserve(entry.runs.size());
    for (std::size_t k = 0; k < entry.runs.size(); ++k)
      a.queued.push_back(answer_for(committed, next++));
    a.ended.reserve(entry.ends.size());
    for (std::size_t k = 0; k < entry.ends.size(); ++k)
      a.ended.push_back(std::move(ended[next_end++]));
    out.emplace_back(std::move(a));
  }
  co_return out;
}

}  // namespace syncline::store
