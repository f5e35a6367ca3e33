// The bodies of store::sqlite_store's erasure (privacy topics, issue 14): finding a customer's
// runs, deleting runs, a tenant's data or echo records, and the erasure log. Compiled once in
// separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <utility>

namespace syncline::store {

SYNCLINE_DECL result<std::vector<std::int64_t>> sqlite_store::runs_matching(
    std::string_view tenant, const std::function<bool(std::string_view payload)>& match) {
  if (auto v = detail::check_tenant("runs matching", tenant); !v) return std::move(v).error();
  if (!match) return make_error(errc::invalid_input, "runs matching: match is empty");
  std::vector<std::int64_t> out;
  std::vector<std::pair<std::int64_t, std::string>> page;
  std::int64_t after = 0;
  for (;;) {
    page.clear();
    {
      // A page at a time through runs_by_tenant (ordered by id), and the reader goes back to the
      // pool before `match` runs: a slow match holds no connection.
      auto c = readers_.acquire();
      auto q = c->prepare(
          "SELECT id, (SELECT payload FROM run_payloads WHERE run_id = runs.id) FROM runs "
          "WHERE tenant = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
          "read a page of a tenant's runs");
      if (!q) return std::move(q).error();
      q->bind(tenant, after, runs_matching_page);
      for (;;) {
        auto row = q->step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        page.emplace_back(q->int64(0), q->text(1));
      }
    }
    for (const auto& [id, payload] : page) {
      if (match(payload)) out.push_back(id);
    }
    if (page.size() < runs_matching_page) return out;
    after = page.back().first;
  }
}

SYNCLINE_DECL result<erasure_counts> sqlite_store::erase_runs(
    std::string_view tenant, std::span<const std::int64_t> run_ids) {
  if (auto v = detail::check_tenant("erase runs", tenant); !v) return std::move(v).error();
  if (run_ids.empty()) return erasure_counts{};
  return write(
      commit_kind::acknowledgement,
      [&](sqlite::database& c) -> result<erasure_counts> {
        erasure_counts n;
        // Each statement names the tenant, so an id of another tenant's run deletes nothing. The
        // dedupe key is found through the run's own key columns (its primary key), before the run
        // goes, and only while it still names this run (a later delivery may have taken it over).
        // The run log's rows are counted in block events (erasure_counts), then deleted.
        auto events_of = c.prepare(
            "SELECT coalesce(sum(json_array_length(events)), 0) FROM run_log WHERE run_id = ?1 "
            "AND EXISTS (SELECT 1 FROM runs WHERE id = ?1 AND tenant = ?2)",
            "count a run's block events");
        if (!events_of) return std::move(events_of).error();
        auto events = c.prepare(
            "DELETE FROM run_log WHERE run_id = ?1 AND "
            "EXISTS (SELECT 1 FROM runs WHERE id = ?1 AND tenant = ?2)",
            "erase a run's block events");
        if (!events) return std::move(events).error();
        auto keys = c.prepare(
            "DELETE FROM dedupe_keys WHERE run_id = ?1 AND "
            "(tenant, integration, trigger_name, dedupe_key) IN (SELECT tenant, integration, "
            "trigger_name, dedupe_key FROM runs WHERE id = ?1 AND tenant = ?2)",
            "erase a run's dedupe key");
        if (!keys) return std::move(keys).error();
        auto runs = c.prepare("DELETE FROM runs WHERE id = ?1 AND tenant = ?2 RETURNING status",
                              "erase a run");
        if (!runs) return std::move(runs).error();
        for (std::int64_t id : run_ids) {
          events_of->reset();
          auto counted = events_of->bind(id, tenant).step();
          if (!counted) return std::move(counted).error();
          n.block_events += events_of->int64(0);
          events_of->reset();
          events->reset();
          if (auto e = events->bind(id, tenant).exec(); !e) return std::move(e).error();
          keys->reset();
          if (auto e = keys->bind(id, tenant).exec(); !e) return std::move(e).error();
          n.dedupe_keys += c.changes();
          runs->reset();
          runs->bind(id, tenant);
          auto erased = detail::delete_runs_counted(c, *runs);
          if (!erased) return std::move(erased).error();
          n.runs += *erased;
        }
        return n;
      },
      true);
}

SYNCLINE_DECL result<erasure_counts> sqlite_store::erase_tenant(std::string_view tenant) {
  if (auto v = detail::check_tenant("erase tenant", tenant); !v) return std::move(v).error();
  return write(
      commit_kind::acknowledgement,
      [&](sqlite::database& c) -> result<erasure_counts> {
        erasure_counts n;
        auto erase = [&](const char* sql, std::string_view what,
                         std::int64_t& count) -> result<void> {
          auto q = c.prepare(sql, what);
          if (!q) return std::move(q).error();
          if (auto e = q->bind(tenant).exec(); !e) return e;
          count = c.changes();
          return {};
        };
        // The run log first: it names its runs, not their tenant. Counted in block events
        // (erasure_counts), then deleted.
        {
          auto q = c.prepare(
              "SELECT coalesce(sum(json_array_length(events)), 0) FROM run_log WHERE run_id IN "
              "(SELECT id FROM runs WHERE tenant = ?1)",
              "count a tenant's block events");
          if (!q) return std::move(q).error();
          auto counted = q->bind(tenant).step();
          if (!counted) return std::move(counted).error();
          n.block_events = q->int64(0);
        }
        std::int64_t log_rows = 0;
        if (auto r = erase("DELETE FROM run_log WHERE run_id IN "
                           "(SELECT id FROM runs WHERE tenant = ?1)",
                           "erase a tenant's block events", log_rows);
            !r) {
          return std::move(r).error();
        }
        {
          auto runs = c.prepare("DELETE FROM runs WHERE tenant = ?1 RETURNING status",
                                "erase a tenant's runs");
          if (!runs) return std::move(runs).error();
          runs->bind(tenant);
          auto erased = detail::delete_runs_counted(c, *runs);
          if (!erased) return std::move(erased).error();
          n.runs = *erased;
        }
        if (auto r = erase("DELETE FROM dedupe_keys WHERE tenant = ?1",
                           "erase a tenant's dedupe keys", n.dedupe_keys);
            !r) {
          return std::move(r).error();
        }
        if (auto r = erase("DELETE FROM echoes WHERE tenant = ?1", "erase a tenant's echo records",
                           n.echo_records);
            !r) {
          return std::move(r).error();
        }
        if (auto r = erase("DELETE FROM cursors WHERE tenant = ?1", "erase a tenant's cursors",
                           n.cursors);
            !r) {
          return std::move(r).error();
        }
        return n;
      },
      true);
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::erase_echo_records(
    std::string_view tenant, std::span<const std::string> record_ids) {
  if (auto v = detail::check_tenant("erase echo records", tenant); !v) {
    return std::move(v).error();
  }
  if (record_ids.empty()) return std::int64_t{0};
  return write(
      commit_kind::acknowledgement,
      [&](sqlite::database& c) -> result<std::int64_t> {
        auto q = c.prepare("DELETE FROM echoes WHERE tenant = ?1 AND record_id = ?2",
                           "erase echo records");
        if (!q) return std::move(q).error();
        std::int64_t n = 0;
        for (const auto& id : record_ids) {
          q->reset();
          if (auto e = q->bind(tenant, id).exec(); !e) return std::move(e).error();
          n += c.changes();
        }
        return n;
      },
      true);
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::record_erasure(const erasure_record& e) {
  if (auto v = detail::check_erasure(e); !v) return std::move(v).error();
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<std::int64_t> {
    auto q = c.prepare(
        "INSERT INTO erasures (tenant, kind, request, runs, block_events, dedupe_keys, "
        "echo_records, cursors, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        "record erasure");
    if (!q) return std::move(q).error();
    const auto& n = e.counts;
    if (auto r = q->bind(e.tenant, e.kind, e.request, n.runs, n.block_events, n.dedupe_keys,
                         n.echo_records, n.cursors, now_())
                     .exec();
        !r) {
      return std::move(r).error();
    }
    return c.last_insert_rowid();
  });
}

SYNCLINE_DECL result<std::vector<erasure_record>> sqlite_store::erasures(std::string_view tenant) {
  auto c = readers_.acquire();
  auto q = c->prepare(
      "SELECT id, tenant, kind, request, runs, block_events, dedupe_keys, echo_records, cursors, "
      "at FROM erasures WHERE tenant = ?1 ORDER BY id",
      "read erasures");
  if (!q) return std::move(q).error();
  q->bind(tenant);
  std::vector<erasure_record> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back({.id = q->int64(0),
                   .tenant = q->text(1),
                   .kind = q->text(2),
                   .request = q->text(3),
                   .counts = {q->int64(4), q->int64(5), q->int64(6), q->int64(7), q->int64(8)},
                   .at = q->time(9)});
  }
}

}  // namespace syncline::store
