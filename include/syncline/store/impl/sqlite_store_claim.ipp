// The bodies of store::sqlite_store's claim: picking due runs fairly across tenants, leasing
// them, and taking back the leases of workers that are gone. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/store/detail/sqlite_run_counts.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace syncline::store {

SYNCLINE_DECL result<std::vector<claimed_run>> sqlite_store::claim(
    std::string_view worker, std::size_t max, std::chrono::milliseconds lease,
    const std::vector<std::string>* runnable) {
  if (max == 0) return std::vector<claimed_run>{};
  if (lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "claim: the lease must be positive");
  }
  const std::string name = std::string(worker) + "@" + lock_.identity();
  // The runnable versions as one JSON array, which the claim reads with json_each: one bound
  // parameter whatever their number. The keys are identifiers, '/', '@' and digits: no escaping.
  std::optional<std::string> versions;
  if (runnable) {
    versions = "[";
    for (const auto& k : *runnable) *versions += (versions->size() > 1 ? ",\"" : "\"") + k + "\"";
    *versions += "]";
  }
  std::vector<worker_lock::gone_worker> gone;
  auto out =
      write(commit_kind::progress, [&](sqlite::database& c) -> result<std::vector<claimed_run>> {
        const time_point now = now_();
        const time_point until = now + lease;
        std::vector<claimed_run> out;
        if (auto r = lease_due(c, name, max, now, until, versions, out); !r) {
          return std::move(r).error();
        }
        // Short of `max`: this worker would wait, so look for leases whose holder is gone. Not
        // on a full claim, so a busy queue pays nothing (the runs of a dead worker are due
        // behind the backlog anyway), and not more often than takeover_interval. A clock that
        // went back looks at once.
        const bool look = !last_takeover_ || now < *last_takeover_ ||
                          now - *last_takeover_ >= opts_.takeover_interval;
        if (out.size() < max && look) {
          last_takeover_ = now;
          auto released = release_gone_workers(c, now, gone);
          if (!released) return std::move(released).error();
          if (*released > 0) {
            if (auto r = lease_due(c, name, max - out.size(), now, until, versions, out); !r) {
              return std::move(r).error();
            }
          }
        }
        // RETURNING yields rows in no particular order; hand them out in id order (store.hpp).
        std::ranges::sort(out, {}, &claimed_run::id);
        return out;
      });
  // Committed: the dead workers' files can go. Otherwise they stay, to be proved again.
  if (out) {
    for (auto& g : gone) g.remove_file();
  }
  return out;
}

SYNCLINE_DECL result<void> sqlite_store::lease_due(sqlite::database& c, std::string_view worker,
                                                   std::size_t max, time_point now,
                                                   time_point until,
                                                   const std::optional<std::string>& runnable,
                                                   std::vector<claimed_run>& out) {
  // Which runs, fairly across tenants (store.hpp, claim): turn t of the claim is each tenant's
  // t-th due run; turns are taken in order, and within a turn the older run first. The cost
  // follows the number of tenants, never one tenant's backlog. First the tenants that have
  // unfinished runs, stepping from one to the next through runs_due_by_tenant (one index seek
  // each, however many runs a tenant holds); then each one's first due runs from the same index,
  // in (due_at, id) order. How many of each: when at least `max` tenants have due runs, turn one
  // fills the claim, so one each (1,000 tenants with due runs cost about 7x less that way than at
  // `max` each, docs/perf/store.md); otherwise `max` each. `runnable`, the workflow versions
  // this engine runs (NULL: any), is tested wherever a run becomes a candidate; runs of other
  // versions wait for another engine. Schemas 3 to 7 did this in one statement with a window
  // function, whose sort cost more than the rest of the claim (docs/perf/runtime.md).
  std::vector<std::string> tenants;
  {
    auto q = c.prepare(
        "WITH RECURSIVE tenants(name) AS ("
        "SELECT min(tenant) FROM runs WHERE due_at IS NOT NULL "
        "UNION ALL "
        "SELECT (SELECT min(tenant) FROM runs WHERE due_at IS NOT NULL AND tenant > name) "
        "FROM tenants WHERE name IS NOT NULL) "
        "SELECT name FROM tenants WHERE name IS NOT NULL",
        "find the tenants with unfinished runs");
    if (!q) return std::move(q).error();
    for (;;) {
      auto row = q->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      tenants.push_back(q->text(0));
    }
  }
  auto first_due = c.prepare(
      "SELECT id, due_at, status FROM runs WHERE tenant = ?1 AND due_at <= ?2 AND (?3 IS NULL OR "
      "(integration || '/' || workflow || '@' || workflow_version) "
      "IN (SELECT value FROM json_each(?3))) ORDER BY due_at, id LIMIT ?4",
      "find a tenant's due runs");
  if (!first_due) return std::move(first_due).error();
  struct candidate {
    std::size_t turn;
    std::int64_t due_at;
    std::int64_t id;
    run_status status;
  };
  std::vector<candidate> candidates;
  // Appends the first `each` due runs of every tenant in `of`; answers the tenants that had one.
  auto read_turns = [&](const std::vector<std::string>& of,
                        std::size_t each) -> result<std::vector<std::string>> {
    std::vector<std::string> with_due;
    for (const auto& tenant : of) {
      first_due->reset();
      first_due->bind(tenant, now, runnable, static_cast<std::int64_t>(each));
      for (std::size_t turn = 0;; ++turn) {
        auto row = first_due->step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        // The status is what the claim moves in run_counts: one it does not know would miscount.
        const auto status = parse_run_status(first_due->text(2));
        if (!status) {
          return make_error(errc::storage, "claim: run " + std::to_string(first_due->int64(0)) +
                                               " has an unknown status \"" + first_due->text(2) +
                                               "\"");
        }
        if (turn == 0) with_due.push_back(tenant);
        candidates.push_back({turn, first_due->int64(1), first_due->int64(0), *status});
      }
    }
    return with_due;
  };
  // Fewer tenants with unfinished runs than `max`: fewer with due runs too, so `max` each at once.
  auto due = read_turns(tenants, tenants.size() < max ? max : 1);
  if (!due) return std::move(due).error();
  if (tenants.size() >= max && due->size() < max) {
    candidates.clear();
    if (auto again = read_turns(*due, max); !again) return std::move(again).error();
  }
  if (candidates.empty()) return {};
  std::ranges::sort(candidates, [](const candidate& a, const candidate& b) {
    return std::tie(a.turn, a.due_at, a.id) < std::tie(b.turn, b.due_at, b.id);
  });
  if (candidates.size() > max) candidates.resize(max);

  // Lease them: each row gets its own random token.
  std::string ids = "[";
  detail::run_count_moves counted;
  for (const auto& k : candidates) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(k.id);
    counted.move(k.status, run_status::running);
  }
  ids += ']';
  // Leased first, then read: RETURNING the rows would copy every payload into a temporary table
  // before handing it out (about a third of the lease's cost, docs/perf/runtime.md).
  auto lease = c.prepare(
      "UPDATE runs SET status = 'running', attempts = attempts + 1, "
      "lease_token = lower(hex(randomblob(16))), due_at = ?1, worker = ?2, updated_at = ?3 "
      "WHERE id IN (SELECT value FROM json_each(?4))",
      "claim runs");
  if (!lease) return std::move(lease).error();
  if (auto e = lease->bind(until, worker, now, ids).exec(); !e) return e;
  auto q = c.prepare(
      "SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, "
      "(SELECT payload FROM run_payloads WHERE run_id = runs.id), attempts, "
      "lease_token, created_at, workflow_version FROM runs "
      "WHERE id IN (SELECT value FROM json_each(?1))",
      "read the claimed runs");
  if (!q) return std::move(q).error();
  q->bind(ids);
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    claimed_run r;
    r.id = q->int64(0);
    r.tenant = q->text(1);
    r.integration = q->text(2);
    r.workflow = q->text(3);
    r.trigger = q->text(4);
    r.dedupe_key = q->text(5);
    r.payload = q->text(6);
    r.attempt = q->int32(7);
    r.lease_token = q->text(8);
    r.enqueued_at = q->time(9);
    r.workflow_version = static_cast<std::uint32_t>(q->int64(10));
    r.lease_until = until;
    r.idempotency_key = idempotency_key(r.id);
    out.push_back(std::move(r));
  }
  return counted.apply(c);
}

SYNCLINE_DECL result<std::vector<std::string>> sqlite_store::leasing_workers(sqlite::database& c,
                                                                             time_point now) {
  auto q = c.prepare("SELECT DISTINCT worker FROM runs WHERE status = 'running' AND due_at > ?1",
                     "list workers holding leases");
  if (!q) return std::move(q).error();
  q->bind(now);
  std::vector<std::string> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(q->text(0));
  }
}

namespace sqlite_store_detail {
// The identity at the end of a recorded worker ("<worker>@<identity>"); empty when there is none.
inline std::string_view identity_of(std::string_view worker) {
  const auto at = worker.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : worker.substr(at + 1);
}
}  // namespace sqlite_store_detail

SYNCLINE_DECL result<std::int64_t> sqlite_store::release_gone_workers(
    sqlite::database& c, time_point now, std::vector<worker_lock::gone_worker>& gone) {
  auto workers = leasing_workers(c, now);
  if (!workers) return std::move(workers).error();
  for (const auto& w : *workers) {
    const auto identity = sqlite_store_detail::identity_of(w);
    if (identity.empty() || identity == lock_.identity() ||
        std::ranges::any_of(gone, [&](const auto& g) { return g.identity() == identity; })) {
      continue;
    }
    if (auto proof = lock_.prove_gone(identity)) gone.push_back(std::move(*proof));
  }
  if (gone.empty()) return std::int64_t{0};
  return release_leases(c, *workers, gone, now);
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::release_leases(
    sqlite::database& c, std::span<const std::string> workers,
    std::span<const worker_lock::gone_worker> gone, time_point now) {
  std::int64_t released = 0;
  for (const auto& w : workers) {
    const auto identity = sqlite_store_detail::identity_of(w);
    if (std::ranges::none_of(gone, [&](const auto& g) { return g.identity() == identity; })) {
      continue;
    }
    auto q = c.prepare(
        "UPDATE runs SET due_at = ?1, updated_at = ?1 "
        "WHERE status = 'running' AND worker = ?2 AND due_at > ?1",
        "take over the leases of a worker that is gone");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(now, w).exec(); !e) return std::move(e).error();
    released += c.changes();
  }
  return released;
}

}  // namespace syncline::store
