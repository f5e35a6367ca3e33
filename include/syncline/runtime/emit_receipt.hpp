// syncline::emit_receipt: what emit(), run_manual() and the HTTP endpoints answer once an event
// is durable: the runs it became, one per installed workflow that listens to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace syncline {

struct emitted_run {
  std::string integration{};
  std::string workflow{};
  std::int64_t run_id = 0;
  bool duplicate = false;  // the event's dedupe key was seen: run_id is the original run
};

struct emit_receipt {
  // Empty when the tenant has no installed workflow on the event (the event is not an error:
  // your platform may emit events for every customer, installed or not).
  std::vector<emitted_run> runs{};
};

struct emit_options {
  // Redeliveries of one event with the same key within the dedupe window make no new run.
  std::string dedupe_key{};
};

}  // namespace syncline
