// What every store checks of a call before it touches its database, and the errors it answers
// when a run is gone or its lease is lost: one text for each, whatever the store, so the
// conformance suite and the people reading the run log see the same words from SQLite and from
// PostgreSQL.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/store/cursor.hpp>
#include <syncline/store/echo_record.hpp>
#include <syncline/store/installation_record.hpp>
#include <syncline/store/run.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::store::detail {

inline result<void> check_cursor_key(const cursor_key& k) {
  if (k.tenant.empty() || k.integration.empty() || k.trigger.empty()) {
    return make_error(errc::invalid_input,
                      "cursor: tenant, integration and trigger must all be non-empty");
  }
  return {};
}

inline result<void> check_echo(const echo_record& e) {
  if (e.tenant.empty() || e.integration.empty() || e.record_id.empty() || e.fingerprint.empty()) {
    return make_error(errc::invalid_input,
                      "echo record: tenant, integration, record_id and fingerprint must all be "
                      "non-empty");
  }
  return {};
}

inline result<void> check_installation_key(std::string_view integration, std::string_view id) {
  if (integration.empty() || id.empty()) {
    return make_error(errc::invalid_input, "installation: integration and id must be non-empty");
  }
  return {};
}

// A revision the store answered (1 or more): 0 is what a record that was never read holds.
inline result<void> check_expected_revision(const installation_record& t, std::int64_t expected) {
  if (expected >= 1) return {};
  return make_error(errc::invalid_input,
                    "replace installation " + t.integration + "/" + t.id +
                        ": the expected revision must be one the store answered (1 or more), not " +
                        std::to_string(expected));
}

inline ::syncline::error installation_gone(const installation_record& t) {
  return make_error(errc::not_found, "replace installation " + t.integration + "/" + t.id +
                                         ": it does not exist (it was uninstalled)");
}

inline ::syncline::error installation_replaced(const installation_record& t, std::int64_t expected,
                                               std::int64_t now) {
  return make_error(errc::conflict,
                    "replace installation " + t.integration + "/" + t.id + ": its revision is " +
                        std::to_string(now) + ", not " + std::to_string(expected) +
                        " (another process replaced it first, e.g. refreshed its token): read it "
                        "again");
}

// The nonce is not quoted: it would let whoever reads the log complete the install.
inline ::syncline::error install_state_taken() {
  return make_error(errc::conflict,
                    "put install state: this state was already put (a state is used once)");
}

// A tenant names whose data an erasure removes: an empty one would name nobody's.
inline result<void> check_tenant(std::string_view call, std::string_view tenant) {
  if (tenant.empty())
    return make_error(errc::invalid_input, std::string(call) + ": tenant is empty");
  return {};
}

// The status a run may end with: a final one, or (where the call allows it) retry_wait.
inline result<void> check_run_end(std::int64_t run_id, run_status status, bool retry_allowed) {
  if (is_final(status) || (retry_allowed && status == run_status::retry_wait)) return {};
  return make_error(errc::invalid_input,
                    "complete run " + std::to_string(run_id) + ": " +
                        std::string(to_string(status)) +
                        (retry_allowed ? " is neither a final status (succeeded, skipped or "
                                         "dead) nor retry_wait"
                                       : " is not a final status (succeeded, skipped or dead)"));
}

inline ::syncline::error no_such_run(std::int64_t run_id) {
  return make_error(errc::not_found,
                    "run " + std::to_string(run_id) + " does not exist (or was pruned)");
}

// `status`: what the run is now; `action`: what the caller could not do ("renew its lease").
inline ::syncline::error lease_lost(std::int64_t run_id, std::string_view status,
                                    std::string_view action) {
  return make_error(errc::conflict,
                    "run " + std::to_string(run_id) + ": this worker's lease is no longer valid (" +
                        "the run is " + std::string(status) +
                        ": it was completed, or its lease expired and it was claimed again), so "
                        "it cannot " +
                        std::string(action));
}

}  // namespace syncline::store::detail
