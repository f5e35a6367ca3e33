// What a store's enqueue is told when it leases runs as it queues them (store::enqueue_and_lease):
// shared by the SQLite and the PostgreSQL store, whose enqueue bodies take it.
#pragma once

#include <syncline/store/clock.hpp>
#include <syncline/store/run.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::store::detail {

// The first lease->max runs accepted are inserted running, leased to `holder` (the worker as the
// store records it, "<worker>@<identity>"), and appended to `leased`. Without `lease`, none.
struct lease_on_insert {
  const lease_request* lease = nullptr;
  std::string_view holder{};
  std::vector<claimed_run>* leased = nullptr;

  bool wants_more() const { return lease && leased->size() < lease->max; }
};

// A run leased as it is inserted, as a claim would hand it out (attempt 1); the store sets its
// id and idempotency key once inserted.
inline claimed_run leased_run(const new_run& r, std::string token, time_point now,
                              time_point until) {
  return claimed_run{.id = 0,
                     .tenant = r.tenant,
                     .integration = r.integration,
                     .workflow = r.workflow,
                     .trigger = r.trigger,
                     .dedupe_key = r.dedupe_key,
                     .payload = r.payload,
                     .attempt = 1,
                     .lease_token = std::move(token),
                     .lease_until = until,
                     .enqueued_at = now,
                     .idempotency_key = {},
                     .workflow_version = r.workflow_version};
}

}  // namespace syncline::store::detail
