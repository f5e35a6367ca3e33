// The bodies of store::postgres_store's erasure (privacy topics, issue 14): finding a customer's
// runs, deleting runs, a tenant's data or echo records, and the erasure log. Included at the end
// of store/postgres_store.hpp.
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/postgres_store.hpp>

#include <utility>

namespace syncline::store {

inline result<std::vector<std::int64_t>> postgres_store::runs_matching(
    std::string_view tenant, const std::function<bool(std::string_view payload)>& match) {
  if (auto v = detail::check_tenant("runs matching", tenant); !v) return std::move(v).error();
  if (!match) return make_error(errc::invalid_input, "runs matching: match is empty");
  std::vector<std::int64_t> out;
  std::int64_t after = 0;
  for (;;) {
    // A page at a time through runs_by_tenant (tenant, id); the connection goes back to the pool
    // before `match` runs, so a slow match holds none.
    auto page = read([&](connection& c) -> result<rows> {
      parameters p;
      p.text(tenant);
      p.int64(after);
      p.int64(static_cast<std::int64_t>(runs_matching_page));
      return exec(c,
                  "SELECT id, payload FROM runs WHERE tenant = $1 AND id > $2::bigint "
                  "ORDER BY id LIMIT $3::bigint",
                  p);
    });
    if (!page) return std::move(page).error();
    const int n = postgres::row_count(*page);
    for (int row = 0; row < n; ++row) {
      if (match(postgres::bytes_at(*page, row, 1)))
        out.push_back(postgres::int64_at(*page, row, 0));
    }
    if (static_cast<std::size_t>(n) < runs_matching_page) return out;
    after = postgres::int64_at(*page, n - 1, 0);
  }
}

inline result<erasure_counts> postgres_store::erase_runs(std::string_view tenant,
                                                         std::span<const std::int64_t> run_ids) {
  if (auto v = detail::check_tenant("erase runs", tenant); !v) return std::move(v).error();
  if (run_ids.empty()) return erasure_counts{};
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<erasure_counts> {
    // The counters before the runs' rows, as every transaction that ends or claims runs takes
    // them: the other way round, erasing a run a worker is finishing could deadlock.
    if (auto r = c.exec(postgres_store_detail::lock_all_counts); !r) return std::move(r).error();
    parameters p;
    p.text(tenant);
    p.int64_array(run_ids);
    // The tenant is in the first CTE, so an id of another tenant's run deletes nothing. The
    // dedupe key goes only while it still names this run (a later delivery may have taken it).
    auto r = exec(c,
                  "WITH target AS (SELECT id, integration, trigger_name, dedupe_key FROM runs "
                  "WHERE tenant = $1 AND id = ANY ($2::bigint[])), "
                  "events AS (DELETE FROM run_log WHERE run_id IN (SELECT id FROM target) "
                  "RETURNING json_array_length(events) AS n), "
                  "keys AS (DELETE FROM dedupe_keys k USING target t WHERE k.tenant = $1 AND "
                  "k.integration = t.integration AND k.trigger_name = t.trigger_name AND "
                  "k.dedupe_key = t.dedupe_key AND k.run_id = t.id RETURNING 1), "
                  "gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM target) RETURNING 1) "
                  "SELECT (SELECT count(*) FROM gone), (SELECT coalesce(sum(n), 0) FROM events), "
                  "(SELECT count(*) FROM keys)",
                  p);
    if (!r) return std::move(r).error();
    erasure_counts n;
    n.runs = postgres::int64_at(*r, 0, 0);
    n.block_events = postgres::int64_at(*r, 0, 1);
    n.dedupe_keys = postgres::int64_at(*r, 0, 2);
    return n;
  });
}

inline result<erasure_counts> postgres_store::erase_tenant(std::string_view tenant) {
  if (auto v = detail::check_tenant("erase tenant", tenant); !v) return std::move(v).error();
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<erasure_counts> {
    if (auto r = c.exec(postgres_store_detail::lock_all_counts); !r) return std::move(r).error();
    erasure_counts n;
    auto erase = [&](const char* sql, std::int64_t& count) -> result<void> {
      parameters p;
      p.text(tenant);
      auto r = exec(c, sql, p);
      if (!r) return std::move(r).error();
      count = postgres::affected_rows(*r);
      return {};
    };
    // The run log first: it names its runs, not their tenant. Counted in block events
    // (erasure_counts).
    {
      parameters p;
      p.text(tenant);
      auto r = exec(c,
                    "WITH gone AS (DELETE FROM run_log WHERE run_id IN "
                    "(SELECT id FROM runs WHERE tenant = $1) RETURNING json_array_length(events) "
                    "AS n) SELECT coalesce(sum(n), 0) FROM gone",
                    p);
      if (!r) return std::move(r).error();
      n.block_events = postgres::int64_at(*r, 0, 0);
    }
    for (auto [sql, count] : {
             std::pair{"DELETE FROM runs WHERE tenant = $1", &n.runs},
             std::pair{"DELETE FROM dedupe_keys WHERE tenant = $1", &n.dedupe_keys},
             std::pair{"DELETE FROM echoes WHERE tenant = $1", &n.echo_records},
             std::pair{"DELETE FROM cursors WHERE tenant = $1", &n.cursors},
         }) {
      if (auto r = erase(sql, *count); !r) return std::move(r).error();
    }
    return n;
  });
}

inline result<std::int64_t> postgres_store::erase_echo_records(
    std::string_view tenant, std::span<const std::string> record_ids) {
  if (auto v = detail::check_tenant("erase echo records", tenant); !v) {
    return std::move(v).error();
  }
  if (record_ids.empty()) return std::int64_t{0};
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<std::int64_t> {
    parameters p;
    p.text(tenant);
    p.text_array(record_ids);
    auto r = exec(c, "DELETE FROM echoes WHERE tenant = $1 AND record_id = ANY ($2::text[])", p);
    if (!r) return std::move(r).error();
    return postgres::affected_rows(*r);
  });
}

inline result<std::int64_t> postgres_store::record_erasure(const erasure_record& e) {
  if (auto v = detail::check_erasure(e); !v) return std::move(v).error();
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<std::int64_t> {
    parameters p;
    p.text(e.tenant);
    p.text(e.kind);
    p.text(e.request);
    p.int64(e.counts.runs);
    p.int64(e.counts.block_events);
    p.int64(e.counts.dedupe_keys);
    p.int64(e.counts.echo_records);
    p.int64(e.counts.cursors);
    p.time(now_());
    auto r = exec(c,
                  "INSERT INTO erasures (tenant, kind, request, runs, block_events, dedupe_keys, "
                  "echo_records, cursors, at) VALUES ($1, $2, $3, $4::bigint, $5::bigint, "
                  "$6::bigint, $7::bigint, $8::bigint, $9::bigint) RETURNING id",
                  p);
    if (!r) return std::move(r).error();
    return postgres::int64_at(*r, 0, 0);
  });
}

inline result<std::vector<erasure_record>> postgres_store::erasures(std::string_view tenant) {
  return read([&](connection& c) -> result<std::vector<erasure_record>> {
    using namespace postgres_store_detail;
    parameters p;
    p.text(tenant);
    auto r = exec(c,
                  "SELECT id, tenant, kind, request, runs, block_events, dedupe_keys, "
                  "echo_records, cursors, at FROM erasures WHERE tenant = $1 ORDER BY id",
                  p);
    if (!r) return std::move(r).error();
    std::vector<erasure_record> out;
    for (int row = 0; row < row_count(*r); ++row) {
      out.push_back({.id = int64_at(*r, row, 0),
                     .tenant = string_at(*r, row, 1),
                     .kind = string_at(*r, row, 2),
                     .request = string_at(*r, row, 3),
                     .counts = {int64_at(*r, row, 4), int64_at(*r, row, 5), int64_at(*r, row, 6),
                                int64_at(*r, row, 7), int64_at(*r, row, 8)},
                     .at = time_at(*r, row, 9)});
    }
    return out;
  });
}

}  // namespace syncline::store
