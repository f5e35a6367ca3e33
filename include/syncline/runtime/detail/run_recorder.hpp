// The run observer the engine sets on every run: turns the workflow's block events into the
// per-block run log (store::block_event_record) and remembers which block failed first, whose retry
// policy then decides about the run.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syncline::detail {

class run_recorder final : public run_observer {
 public:
  run_recorder(std::int64_t run_id, int attempt, const store::clock_fn& clock,
               const redactor& redact)
      : run_id_(run_id), attempt_(attempt), clock_(clock), redact_(redact) {}

  void on_block(const run_context&, const block_event& e) override {
    const store::time_point now = clock_();
    if (e.phase == block_phase::started) {
      if (started_.size() <= e.position) started_.resize(e.position + 1);
      started_[e.position] = now;
      return;
    }
    store::block_event_record out;
    out.run_id = run_id_;
    out.attempt = attempt_;
    out.position = static_cast<int>(e.position);
    out.block = std::string(e.block);
    out.started_at = e.position < started_.size() && started_[e.position] != store::time_point{}
                         ? started_[e.position]
                         : now;
    out.finished_at = now;
    switch (e.phase) {
      case block_phase::succeeded: out.outcome = "ok"; break;
      case block_phase::skipped:
        out.outcome = "skipped";
        if (e.skip_info && !e.skip_info->reason.empty())
          out.error = redact_(std::string(e.skip_info->reason));  // it may quote a payload
        break;
      case block_phase::failed:
        out.outcome = "error";
        if (e.failure) out.error = redact_(to_string(*e.failure));
        if (!first_failure_) first_failure_ = e.position;
        break;
      case block_phase::started: break;
    }
    if (events_.empty()) events_.reserve(8);  // a workflow has a handful of blocks: one allocation
    events_.push_back(std::move(out));
  }

  std::vector<store::block_event_record>& events() noexcept { return events_; }
  // The position of the block that failed first in this attempt (0 when none did).
  std::size_t failed_position() const noexcept { return first_failure_.value_or(0); }

 private:
  std::int64_t run_id_;
  int attempt_;
  const store::clock_fn& clock_;
  const redactor& redact_;
  // When each position's block started, indexed by position (a workflow has a handful): one
  // allocation per run instead of a map node per block. The epoch means "not seen".
  std::vector<store::time_point> started_;
  std::vector<store::block_event_record> events_;
  std::optional<std::size_t> first_failure_;
};

}  // namespace syncline::detail
