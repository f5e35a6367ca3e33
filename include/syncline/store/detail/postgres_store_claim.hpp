// The bodies of store::postgres_store's claim: picking due runs fairly across tenants, leasing
// them with SKIP LOCKED, and taking back the leases of stores whose session ended. Included at the
// end of store/postgres_store.hpp, after postgres_store_body.hpp (whose helpers it uses), as
// sqlite_store_claim.ipp is for the SQLite store.
#pragma once

#include <syncline/store/postgres_store.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace syncline::store {

namespace postgres_store_detail {

// The due runs to lease, fairly: the tenants with unfinished runs are walked by a skip scan of
// runs_due_by_tenant (one index probe per tenant; ordered as that index is, so that the planner
// cannot prefer runs_by_tenant, which also holds every finished run), each tenant gives at most $2
// of its due runs (a range of the same index), and they are taken round robin: every tenant's
// oldest first, then every tenant's second, ...; among equal rank, older due first. So one tenant's
// backlog costs $2 rows, not its length. $1 = now, $2 = how many, $3 = ids already tried in this
// claim, $4 = the runnable workflow versions (store.hpp, claim; NULL: any): a tenant whose due runs
// are all of other versions gives none.
inline constexpr const char* fair_candidates = R"sql(
WITH RECURSIVE tenants(tenant) AS (
  (SELECT tenant FROM runs WHERE due_at IS NOT NULL ORDER BY tenant, due_at, id LIMIT 1)
  UNION ALL
  SELECT (SELECT r.tenant FROM runs r WHERE r.due_at IS NOT NULL AND r.tenant > t.tenant
          ORDER BY r.tenant, r.due_at, r.id LIMIT 1)
  FROM tenants t WHERE t.tenant IS NOT NULL
)
SELECT c.id FROM tenants t CROSS JOIN LATERAL (
  SELECT id, due_at, row_number() OVER (ORDER BY due_at, id) AS rank FROM (
    SELECT r.id, r.due_at FROM runs r
    WHERE r.tenant = t.tenant AND r.due_at IS NOT NULL AND r.due_at <= $1::bigint
      AND NOT (r.id = ANY ($3::bigint[]))
      AND ($4::text[] IS NULL OR
           (r.integration || '/' || r.workflow || '@' || r.workflow_version) = ANY ($4::text[]))
    ORDER BY r.due_at, r.id LIMIT $2::bigint) mine) c
WHERE t.tenant IS NOT NULL
ORDER BY c.rank, c.due_at, c.id
LIMIT $2::bigint
)sql";

// Leases the candidates that no other claim holds (SKIP LOCKED: workers on many machines take
// disjoint runs without waiting for each other) and that are still due once locked.
inline constexpr const char* lease_candidates = R"sql(
UPDATE runs SET status = 'running', attempts = attempts + 1,
  lease_token = gen_random_uuid()::text, due_at = $2::bigint, worker = $3::text,
  updated_at = $4::bigint
WHERE id IN (SELECT id FROM runs WHERE id = ANY ($1::bigint[]) AND due_at <= $4::bigint
             FOR UPDATE SKIP LOCKED)
RETURNING id, tenant, integration, workflow, trigger_name, dedupe_key, payload, attempts,
  lease_token, created_at, workflow_version
)sql";

}  // namespace postgres_store_detail

inline result<std::vector<claimed_run>> postgres_store::claim(
    std::string_view worker, std::size_t max, std::chrono::milliseconds lease,
    const std::vector<std::string>* runnable) {
  if (max == 0) return std::vector<claimed_run>{};
  if (lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "claim: the lease must be positive");
  }
  keep_lock();
  const std::string name = std::string(worker) + "@" + identity_;
  return write(commit_kind::progress, [&](connection& c) -> result<std::vector<claimed_run>> {
    // A claim may run several UPDATEs (rounds, a takeover): the counters they may change are
    // locked first, in order, so that it cannot lock one after another (a deadlock).
    if (auto r = c.exec(postgres_store_detail::lock_claim_counts); !r) {
      return std::move(r).error();
    }
    const time_point now = now_();
    const time_point until = now + lease;
    std::vector<claimed_run> out;
    if (auto r = lease_due(c, name, max, now, until, runnable, out); !r) {
      return std::move(r).error();
    }
    // Short of `max`: this worker would wait, so look for leases whose store is gone. Not on a
    // full claim, so a busy queue pays nothing, and not more often than takeover_interval.
    bool look = false;
    if (out.size() < max) {
      std::lock_guard guard(takeover_mu_);
      look = !last_takeover_ || now < *last_takeover_ ||
             now - *last_takeover_ >= opts_.takeover_interval;
      if (look) last_takeover_ = now;
    }
    if (look) {
      auto released = release_gone_stores(c, now);
      if (!released) return std::move(released).error();
      if (*released > 0) {
        if (auto r = lease_due(c, name, max - out.size(), now, until, runnable, out); !r) {
          return std::move(r).error();
        }
      }
    }
    // Fairness chose which runs; they are handed out in id order (store.hpp).
    std::ranges::sort(out, {}, &claimed_run::id);
    return out;
  });
}

inline result<void> postgres_store::lease_due(connection& c, std::string_view worker,
                                              std::size_t max, time_point now, time_point until,
                                              const std::vector<std::string>* runnable,
                                              std::vector<claimed_run>& out) {
  using namespace postgres_store_detail;
  std::vector<std::int64_t> tried;
  // A candidate another claim holds is skipped; a few rounds look past such runs.
  for (int round = 0; round < 4 && out.size() < max; ++round) {
    const std::size_t want = max - out.size();
    parameters p;
    p.time(now);
    p.int64(static_cast<std::int64_t>(want));
    p.int64_array(tried);
    if (runnable) {
      p.text_array(*runnable);
    } else {
      p.null();
    }
    auto found = exec_prepared(c, fair_candidates, p);
    if (!found) return std::move(found).error();
    std::vector<std::int64_t> ids;
    for (int row = 0; row < row_count(*found); ++row) ids.push_back(int64_at(*found, row, 0));
    if (ids.empty()) return {};
    parameters q;
    q.int64_array(ids);
    q.time(until);
    q.text(worker);
    q.time(now);
    auto leased = exec_prepared(c, lease_candidates, q);
    if (!leased) return std::move(leased).error();
    std::map<std::int64_t, claimed_run> by_id;
    for (int row = 0; row < row_count(*leased); ++row) {
      claimed_run r;
      r.id = int64_at(*leased, row, 0);
      r.tenant = string_at(*leased, row, 1);
      r.integration = string_at(*leased, row, 2);
      r.workflow = string_at(*leased, row, 3);
      r.trigger = string_at(*leased, row, 4);
      r.dedupe_key = string_at(*leased, row, 5);
      r.payload = postgres::bytes_at(*leased, row, 6);
      r.attempt = static_cast<int>(int64_at(*leased, row, 7));
      r.lease_token = string_at(*leased, row, 8);
      r.enqueued_at = time_at(*leased, row, 9);
      r.workflow_version = static_cast<std::uint32_t>(int64_at(*leased, row, 10));
      r.lease_until = until;
      r.idempotency_key = idempotency_key(r.id);
      by_id.emplace(r.id, std::move(r));
    }
    for (auto& [id, r] : by_id) out.push_back(std::move(r));
    if (by_id.size() == ids.size() && ids.size() < want) return {};  // nothing more is due
    tried.insert(tried.end(), ids.begin(), ids.end());
  }
  return {};
}

inline result<std::int64_t> postgres_store::release_gone_stores(connection& c, time_point now) {
  using namespace postgres_store_detail;
  parameters p;
  p.time(now);
  auto workers = exec(
      c, "SELECT DISTINCT worker FROM runs WHERE status = 'running' AND due_at > $1::bigint", p);
  if (!workers) return std::move(workers).error();
  std::int64_t released = 0;
  std::set<std::int64_t> gone;
  for (int row = 0; row < row_count(*workers); ++row) {
    const std::string worker = string_at(*workers, row, 0);
    const auto key = lock_key_of(worker);
    if (!key || *key == lock_key_) continue;
    if (!gone.contains(*key)) {
      // Free: no session holds it, so the store that recorded it is gone. Taken for this
      // transaction only, so two stores that look at once release the runs once.
      auto free = c.exec("SELECT pg_try_advisory_xact_lock(" + std::to_string(*key) + ")");
      if (!free) return std::move(free).error();
      if (text_at(*free, 0, 0) != "t") continue;
      gone.insert(*key);
    }
    // The runs stay running with their old token until claimed again, as after a lease expiry,
    // so a late answer of the old worker is refused once they are (errc::conflict).
    parameters q;
    q.time(now);
    q.text(worker);
    auto r = exec(c,
                  "UPDATE runs SET due_at = $1::bigint, updated_at = $1::bigint "
                  "WHERE status = 'running' AND worker = $2 AND due_at > $1::bigint",
                  q);
    if (!r) return std::move(r).error();
    released += postgres::affected_rows(*r);
  }
  return released;
}

}  // namespace syncline::store
