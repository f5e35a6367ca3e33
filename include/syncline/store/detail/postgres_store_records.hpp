// The bodies of store::postgres_store beyond the run queue: the run log, dead letters,
// retention, cursors and echo records. Included by postgres_store_body.hpp.
#pragma once

#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/detail/run_log_codec.hpp>
#include <syncline/store/postgres_store.hpp>

namespace syncline::store {

inline result<std::optional<time_point>> postgres_store::next_due() {
  return read([&](connection& c) -> result<std::optional<time_point>> {
    auto r = c.exec("SELECT min(due_at) FROM runs WHERE due_at IS NOT NULL");
    if (!r) return std::move(r).error();
    return postgres_store_detail::optional_time_at(*r, 0, 0);
  });
}

inline result<run_counts> postgres_store::counts() {
  return read([&](connection& c) { return read_counts(c); });
}

inline result<run_counts> postgres_store::read_counts(connection& c) {
  auto r = c.exec("SELECT status, sum(n) FROM run_counts GROUP BY status");
  if (!r) return std::move(r).error();
  run_counts out;
  for (int row = 0; row < postgres::row_count(*r); ++row) {
    const std::int64_t n = postgres::int64_at(*r, row, 1);
    switch (parse_run_status(postgres::text_at(*r, row, 0)).value_or(run_status::queued)) {
      case run_status::queued: out.queued = n; break;
      case run_status::running: out.running = n; break;
      case run_status::succeeded: out.succeeded = n; break;
      case run_status::skipped: out.skipped = n; break;
      case run_status::retry_wait: out.retry_wait = n; break;
      case run_status::dead: out.dead = n; break;
    }
  }
  return out;
}

inline result<void> postgres_store::insert_run_log(connection& c,
                                                   std::span<const block_event_record> events) {
  const auto rows = detail::run_log_rows(events);
  for (const auto part : postgres_store_detail::in_statements(std::span(rows))) {
    // Fixed text, prepared once per session: a batch's rows are three arrays.
    parameters p;
    p.int64_array(part, &detail::run_log_row::run_id);
    p.int64_array(part, &detail::run_log_row::attempt);
    p.text_array(part, &detail::run_log_row::events);
    if (auto r = exec_prepared(c,
                               "INSERT INTO run_log (run_id, attempt, events) SELECT * FROM "
                               "unnest($1::bigint[], $2::integer[], $3::json[])",
                               p);
        !r)
      return std::move(r).error();
  }
  return {};
}

inline result<void> postgres_store::append_block_events(
    std::span<const block_event_record> events) {
  if (events.empty()) return {};
  return write(commit_kind::progress, [&](connection& c) { return insert_run_log(c, events); });
}

inline result<std::vector<block_event_record>> postgres_store::block_events(std::int64_t run_id) {
  using namespace postgres_store_detail;
  return read([&](connection& c) -> result<std::vector<block_event_record>> {
    parameters p;
    p.int64(run_id);
    auto r =
        exec(c, "SELECT attempt, events FROM run_log WHERE run_id = $1::bigint ORDER BY seq", p);
    if (!r) return std::move(r).error();
    std::vector<block_event_record> out;
    for (int row = 0; row < row_count(*r); ++row) {
      if (auto e = detail::read_run_log_row(run_id, static_cast<int>(int64_at(*r, row, 0)),
                                            string_at(*r, row, 1), out);
          !e) {
        return std::move(e).error();
      }
    }
    return out;
  });
}

inline std::string postgres_store::run_filter_sql(parameters& p, const run_filter& f) {
  std::string sql;
  if (f.tenant) sql += " AND tenant = " + p.text(*f.tenant);
  if (f.integration) sql += " AND integration = " + p.text(*f.integration);
  if (f.workflow) sql += " AND workflow = " + p.text(*f.workflow);
  if (f.from) sql += " AND created_at >= " + p.time(*f.from) + "::bigint";
  if (f.to) sql += " AND created_at < " + p.time(*f.to) + "::bigint";
  return sql;
}

inline run_record postgres_store::read_run(const rows& r, int row, bool with_payload) {
  using namespace postgres_store_detail;
  run_record out;
  out.id = int64_at(r, row, 0);
  out.tenant = string_at(r, row, 1);
  out.integration = string_at(r, row, 2);
  out.workflow = string_at(r, row, 3);
  out.trigger = string_at(r, row, 4);
  out.dedupe_key = string_at(r, row, 5);
  out.status = parse_run_status(text_at(r, row, 6)).value_or(run_status::queued);
  out.attempts = static_cast<int>(int64_at(r, row, 7));
  out.last_error = string_at(r, row, 8);
  out.worker = string_at(r, row, 9);
  out.created_at = time_at(r, row, 10);
  out.updated_at = time_at(r, row, 11);
  out.finished_at = optional_time_at(r, row, 12);
  out.workflow_version = static_cast<std::uint32_t>(int64_at(r, row, 13));
  if (with_payload) out.payload = postgres::bytes_at(r, row, 14);
  return out;
}

inline result<std::vector<run_record>> postgres_store::query_runs(const run_query& query) {
  if (query.limit > max_query_limit) {
    return make_error(errc::invalid_input, "run query: limit " + std::to_string(query.limit) +
                                               " is above the page size maximum " +
                                               std::to_string(max_query_limit) +
                                               "; page with before_id");
  }
  parameters p;
  std::string sql = postgres_store_detail::run_columns;
  if (query.with_payload) sql += ", payload";
  sql += " FROM runs WHERE true" + run_filter_sql(p, query.filter);
  if (query.status) {
    // One of six fixed words, written into the SQL so that the planner can use the partial
    // indexes: runs_dead for the dead letters, runs_due for the unfinished states.
    sql += " AND status = '" + std::string(to_string(*query.status)) + "'";
    if (!is_final(*query.status)) sql += " AND due_at IS NOT NULL";
  }
  if (query.before_id) sql += " AND id < " + p.int64(*query.before_id) + "::bigint";
  sql += " ORDER BY id DESC LIMIT " + p.int64(static_cast<std::int64_t>(query.limit)) + "::bigint";
  return read([&](connection& c) -> result<std::vector<run_record>> {
    auto r = exec(c, sql, p);
    if (!r) return std::move(r).error();
    std::vector<run_record> out;
    for (int row = 0; row < postgres::row_count(*r); ++row) {
      out.push_back(read_run(*r, row, query.with_payload));
    }
    return out;
  });
}

inline result<run_record> postgres_store::get_run(std::int64_t run_id) {
  return read([&](connection& c) -> result<run_record> {
    parameters p;
    p.int64(run_id);
    auto r = exec(c,
                  std::string(postgres_store_detail::run_columns) +
                      ", payload FROM runs WHERE id = $1::bigint",
                  p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 0) return detail::no_such_run(run_id);
    return read_run(*r, 0, true);
  });
}

// A replayed run keeps its id (and so its idempotency key) and starts its attempts afresh;
// last_error stays until the next attempt ends.
inline constexpr const char* postgres_replay_update =
    "UPDATE runs SET status = 'queued', attempts = 0, due_at = $1::bigint, finished_at = NULL, "
    "updated_at = $1::bigint WHERE status = 'dead'";

inline result<void> postgres_store::replay(std::int64_t run_id) {
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<void> {
    if (auto r = c.exec(postgres_store_detail::take_enqueue_turn); !r) return std::move(r).error();
    parameters p;
    p.time(now_());
    const std::string sql =
        std::string(postgres_replay_update) + " AND id = " + p.int64(run_id) + "::bigint";
    auto r = exec(c, sql, p);
    if (!r) return std::move(r).error();
    if (postgres::affected_rows(*r) == 1) return announce_new_runs(c);
    parameters q;
    q.int64(run_id);
    auto s = exec(c, "SELECT status FROM runs WHERE id = $1::bigint", q);
    if (!s) return std::move(s).error();
    if (postgres::row_count(*s) == 0) return detail::no_such_run(run_id);
    return make_error(errc::conflict, "replay run " + std::to_string(run_id) + ": it is " +
                                          std::string(postgres::text_at(*s, 0, 0)) +
                                          "; only dead runs can be replayed");
  });
}

inline result<std::int64_t> postgres_store::replay_all(const run_filter& filter) {
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<std::int64_t> {
    if (auto r = c.exec(postgres_store_detail::take_enqueue_turn); !r) return std::move(r).error();
    parameters p;
    p.time(now_());
    const std::string sql = postgres_replay_update + run_filter_sql(p, filter);
    auto r = exec(c, sql, p);
    if (!r) return std::move(r).error();
    const std::int64_t replayed = postgres::affected_rows(*r);
    if (replayed > 0) {
      if (auto n = announce_new_runs(c); !n) return std::move(n).error();
    }
    return replayed;
  });
}

inline result<prune_result> postgres_store::prune(
    std::chrono::system_clock::duration keep_finished) {
  const time_point now = now_();
  prune_result out;
  // Small transactions, so that an enqueue never waits for a whole prune. One statement per
  // chunk removes the runs and their block events together: a run replayed meanwhile (no
  // longer finished) keeps both.
  auto chunked = [&](const char* sql, time_point cutoff) -> result<std::int64_t> {
    std::int64_t total = 0;
    for (;;) {
      auto n = write(commit_kind::progress, [&](connection& c) -> result<std::int64_t> {
        parameters p;
        p.time(cutoff);
        p.int64(prune_chunk);
        auto r = exec(c, sql, p);
        if (!r) return std::move(r).error();
        return postgres::int64_at(*r, 0, 0);
      });
      if (!n) return n;
      total += *n;
      if (*n < prune_chunk) return total;
    }
  };
  auto runs = chunked(
      "WITH doomed AS (DELETE FROM runs WHERE id IN (SELECT id FROM runs "
      "WHERE finished_at < $1::bigint ORDER BY finished_at, id LIMIT $2::bigint "
      "FOR UPDATE SKIP LOCKED) RETURNING id), "
      "events AS (DELETE FROM run_log WHERE run_id IN (SELECT id FROM doomed)) "
      "SELECT count(*) FROM doomed",
      now - keep_finished);
  if (!runs) return std::move(runs).error();
  out.runs = *runs;
  auto keys = chunked(
      "WITH doomed AS (DELETE FROM dedupe_keys WHERE ctid IN (SELECT ctid FROM dedupe_keys "
      "WHERE seen_at <= $1::bigint LIMIT $2::bigint) RETURNING 1) SELECT count(*) FROM doomed",
      now - opts_.dedupe_window);
  if (!keys) return std::move(keys).error();
  out.dedupe_keys = *keys;
  auto echoes = chunked(
      "WITH doomed AS (DELETE FROM echoes WHERE ctid IN (SELECT ctid FROM echoes "
      "WHERE written_at <= $1::bigint LIMIT $2::bigint) RETURNING 1) SELECT count(*) FROM doomed",
      now - opts_.echo_window);
  if (!echoes) return std::move(echoes).error();
  out.echo_records = *echoes;
  auto states = chunked(
      "WITH doomed AS (DELETE FROM install_states WHERE state IN (SELECT state FROM "
      "install_states WHERE expires_at <= $1::bigint LIMIT $2::bigint) RETURNING 1) "
      "SELECT count(*) FROM doomed",
      now);
  if (!states) return std::move(states).error();
  out.install_states = *states;
  return out;
}

inline result<std::optional<std::string>> postgres_store::get_cursor(const cursor_key& key) {
  return read([&](connection& c) -> result<std::optional<std::string>> {
    parameters p;
    p.text(key.tenant);
    p.text(key.integration);
    p.text(key.trigger);
    auto r = exec(c,
                  "SELECT value FROM cursors WHERE tenant = $1 AND integration = $2 AND "
                  "trigger_name = $3",
                  p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 0) return std::optional<std::string>{};
    return std::optional<std::string>(postgres_store_detail::string_at(*r, 0, 0));
  });
}

inline result<void> postgres_store::set_cursor(const cursor_update& cursor) {
  if (auto v = detail::check_cursor_key(cursor.key); !v) return v;
  return write(commit_kind::acknowledgement,
               [&](connection& c) { return upsert_cursor(c, cursor); });
}

inline result<void> postgres_store::upsert_cursor(connection& c, const cursor_update& cursor) {
  if (cursor.after) {
    // One statement decides, so two writers that read the same value cannot both win: an INSERT
    // that meets a row, or an UPDATE whose row changed under it (READ COMMITTED re-checks the
    // WHERE on the committed version), returns no row.
    parameters p;
    p.text(cursor.key.tenant);
    p.text(cursor.key.integration);
    p.text(cursor.key.trigger);
    p.text(cursor.value);
    p.time(now_());
    std::string sql;
    if (!cursor.after->value) {
      sql =
          "INSERT INTO cursors (tenant, integration, trigger_name, value, updated_at) "
          "VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT (tenant, integration, trigger_name) "
          "DO NOTHING RETURNING 1";
    } else {
      p.text(*cursor.after->value);
      sql =
          "UPDATE cursors SET value = $4, updated_at = $5::bigint WHERE tenant = $1 AND "
          "integration = $2 AND trigger_name = $3 AND value = $6 RETURNING 1";
    }
    auto r = exec(c, sql, p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 1) return {};
    return make_error(errc::conflict,
                      "cursor of " + cursor.key.trigger + " (tenant " + cursor.key.tenant +
                          ") was moved by another process since it was read; nothing written");
  }
  parameters p;
  p.text(cursor.key.tenant);
  p.text(cursor.key.integration);
  p.text(cursor.key.trigger);
  p.text(cursor.value);
  p.time(now_());
  auto r = exec(c,
                "INSERT INTO cursors (tenant, integration, trigger_name, value, updated_at) "
                "VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT (tenant, integration, "
                "trigger_name) DO UPDATE SET value = excluded.value, updated_at = "
                "excluded.updated_at",
                p);
  if (!r) return std::move(r).error();
  return {};
}

inline result<void> postgres_store::record_echo(const echo_record& written) {
  if (auto v = detail::check_echo(written); !v) return v;
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<void> {
    parameters p;
    p.text(written.tenant);
    p.text(written.integration);
    p.text(written.record_id);
    p.text(written.fingerprint);
    p.time(now_());
    auto r = exec(c,
                  "INSERT INTO echoes (tenant, integration, record_id, fingerprint, written_at) "
                  "VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT (tenant, integration, "
                  "record_id, fingerprint) DO UPDATE SET written_at = excluded.written_at",
                  p);
    if (!r) return std::move(r).error();
    return {};
  });
}

inline result<bool> postgres_store::is_echo(const echo_record& received) {
  if (auto v = detail::check_echo(received); !v) return std::move(v).error();
  return read([&](connection& c) -> result<bool> {
    parameters p;
    p.text(received.tenant);
    p.text(received.integration);
    p.text(received.record_id);
    p.text(received.fingerprint);
    p.time(now_() - opts_.echo_window);
    auto r = exec(c,
                  "SELECT 1 FROM echoes WHERE tenant = $1 AND integration = $2 AND "
                  "record_id = $3 AND fingerprint = $4 AND written_at > $5::bigint",
                  p);
    if (!r) return std::move(r).error();
    return postgres::row_count(*r) > 0;
  });
}

}  // namespace syncline::store
