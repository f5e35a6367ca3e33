// A run as the store keeps it: the event that asks for it (new_run), what enqueueing answered,
// the lease a worker holds while executing it (claimed_run), and the run log's view of it
// (run_record, run_query, run_counts).
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::store {

// Every member below has an initializer ({} included) so that designated initializers may leave
// any of them out without -Wmissing-field-initializers (g++ 12 warns otherwise).

// queued -> running -> succeeded | skipped | dead, or running -> retry_wait -> running.
// A running run whose lease expired is claimable again, so a crash never strands a run; one
// whose holder the store proves gone is claimable at once (store::claim).
enum class run_status { queued, running, succeeded, skipped, retry_wait, dead };

constexpr std::string_view to_string(run_status s) noexcept {
  switch (s) {
    case run_status::queued: return "queued";
    case run_status::running: return "running";
    case run_status::succeeded: return "succeeded";
    case run_status::skipped: return "skipped";
    case run_status::retry_wait: return "retry_wait";
    case run_status::dead: return "dead";
  }
  return "unknown";
}

constexpr std::optional<run_status> parse_run_status(std::string_view s) noexcept {
  for (auto st : {run_status::queued, run_status::running, run_status::succeeded,
                  run_status::skipped, run_status::retry_wait, run_status::dead}) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

// A run never needs a worker again once it is in one of these.
constexpr bool is_final(run_status s) noexcept {
  return s == run_status::succeeded || s == run_status::skipped || s == run_status::dead;
}

// One accepted trigger event, as the trigger hands it to the queue.
struct new_run {
  std::string tenant{};
  std::string integration{};
  std::string workflow{};
  std::string trigger{};
  std::string dedupe_key{};  // e.g. X-Shopify-Webhook-Id; empty: the event is never deduplicated
  std::string payload{};     // JSON text, stored as given
  // The version of the workflow that queued it (syncline::version): only an engine that has
  // that version claims it (claim's `runnable`).
  std::uint32_t workflow_version = 1;
};

// How a claim names the runs it may take: "<integration>/<workflow>@<version>". The names are
// identifiers (checked at compile time), so '/' and '@' cannot occur in them.
inline std::string workflow_version_key(std::string_view integration, std::string_view workflow,
                                        std::uint32_t version) {
  std::string key;
  key.reserve(integration.size() + workflow.size() + 12);
  key.append(integration).append("/").append(workflow).append("@").append(std::to_string(version));
  return key;
}

// The names route a run to its workflow; an event without them cannot be executed, so it is
// refused before it reaches a transaction (one bad event must not fail a whole group commit).
inline result<void> validate(const new_run& r) {
  auto missing = [](std::string_view field) {
    return make_error(errc::invalid_input,
                      "run queue: a new run needs a non-empty " + std::string(field));
  };
  if (r.tenant.empty()) return missing("tenant");
  if (r.integration.empty()) return missing("integration");
  if (r.workflow.empty()) return missing("workflow");
  if (r.trigger.empty()) return missing("trigger");
  if (r.workflow_version == 0) {
    return make_error(errc::invalid_input, "run queue: a workflow's versions start at 1");
  }
  return {};
}

struct enqueue_result {
  enum kind_t {
    accepted,    // durably queued as run_id
    duplicate,   // the dedupe key was seen within the window: run_id is the original run
    queue_full,  // not queued: the store holds max_unfinished_runs unfinished runs (run_id 0)
  };
  kind_t kind = accepted;
  std::int64_t run_id = 0;

  friend bool operator==(const enqueue_result&, const enqueue_result&) = default;
};

// A run leased to one worker. lease_token proves the lease: complete(), retry_later() and
// renew_lease() with a token that is no longer current fail with errc::conflict, so a slow
// worker whose lease expired cannot overwrite the attempt that replaced it.
struct claimed_run {
  std::int64_t id = 0;
  std::string tenant{};
  std::string integration{};
  std::string workflow{};
  std::string trigger{};
  std::string dedupe_key{};
  std::string payload{};
  int attempt = 0;  // 1 on the first claim; a claim after an expired lease counts as an attempt
  std::string lease_token{};
  time_point lease_until{};
  time_point enqueued_at{};
  // Stable for the life of the run (retries and replays keep it) and unique across stores:
  // destinations use it so that re-running a run repeats no effect.
  std::string idempotency_key{};
  std::uint32_t workflow_version = 1;  // of the workflow that queued it (new_run)
};

// Who leases runs as they are queued (store::enqueue_and_lease), for how long, and at most how
// many: what claim() takes as its first three arguments.
struct lease_request {
  std::string_view worker{};
  std::size_t max = 0;
  std::chrono::milliseconds lease{};
};

// How one claimed run ends, for store::finish_many: completed with a final status (succeeded,
// skipped or dead), or given back until `retry_at` (retry_wait). `run` must outlive the call.
struct run_completion {
  const claimed_run* run = nullptr;
  run_status status = run_status::succeeded;  // retry_wait: a retry at retry_at
  std::string error{};                        // why it died, or why it is retried
  time_point retry_at{};                      // only for retry_wait

  static run_completion completed(const claimed_run& r, run_status final_status,
                                  std::string error = {}) {
    return {&r, final_status, std::move(error), {}};
  }
  static run_completion retried(const claimed_run& r, time_point when, std::string error) {
    return {&r, run_status::retry_wait, std::move(error), when};
  }
};

// The run log's row for one run.
struct run_record {
  std::int64_t id = 0;
  std::string tenant{};
  std::string integration{};
  std::string workflow{};
  std::string trigger{};
  std::string dedupe_key{};
  run_status status = run_status::queued;
  int attempts = 0;
  std::string last_error{};  // the error of the latest failed attempt, kept for dead letters
  std::string worker{};      // who holds or last held the lease, e.g. "engine@host/pid/instance"
  time_point created_at{};
  time_point updated_at{};
  std::optional<time_point> finished_at{};
  std::string payload{};  // filled by get_run() and by run_query{.with_payload = true} only
  std::uint32_t workflow_version = 1;  // of the workflow that queued it (new_run)
};

// Which runs: every field that is set must match. [from, to) bounds created_at.
struct run_filter {
  std::optional<std::string> tenant{};
  std::optional<std::string> integration{};
  std::optional<std::string> workflow{};
  std::optional<time_point> from{};
  std::optional<time_point> to{};
};

// Newest first; page with before_id = the last id of the previous page.
struct run_query {
  run_filter filter{};
  std::optional<run_status> status{};
  std::size_t limit = 100;
  std::optional<std::int64_t> before_id{};
  bool with_payload = false;
};

struct run_counts {
  std::int64_t queued = 0;
  std::int64_t running = 0;
  std::int64_t retry_wait = 0;
  std::int64_t succeeded = 0;
  std::int64_t skipped = 0;
  std::int64_t dead = 0;

  // What backpressure bounds: runs that still hold a place in the queue.
  std::int64_t unfinished() const noexcept { return queued + running + retry_wait; }
};

}  // namespace syncline::store
