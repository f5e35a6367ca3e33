// store::block_event_record: one stored entry of a run's per-block log: which block ran in which
// attempt, when, and how it ended. (The live notice a run_observer gets is syncline::block_event.)
#pragma once

#include <syncline/store/clock.hpp>

#include <cstdint>
#include <string>

namespace syncline::store {

struct block_event_record {
  std::int64_t run_id = 0;
  int attempt = 0;      // the run attempt (claimed_run::attempt) this block ran in
  int position = 0;     // the block's index in its workflow, 0 = first after the trigger
  std::string block{};  // the block's name
  time_point started_at{};
  time_point finished_at{};
  std::string outcome{};  // the engine's word for it, e.g. "ok", "skipped", "error"
  std::string error{};    // empty unless the block failed; never holds a secret

  friend bool operator==(const block_event_record&, const block_event_record&) = default;
};

}  // namespace syncline::store
