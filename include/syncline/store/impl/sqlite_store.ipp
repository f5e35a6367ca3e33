// The bodies of store::sqlite_store: its SQL. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/detail/sqlite_run_counts.hpp>
#include <syncline/store/detail/sqlite_run_log.hpp>
#include <syncline/store/detail/sqlite_schema.hpp>
#include <syncline/store/sqlite_store.hpp>

namespace syncline::store {

SYNCLINE_DECL result<std::unique_ptr<sqlite_store>> sqlite_store::open(
    const std::filesystem::path& file, sqlite_store_options opts) {
  const std::string path = file.string();
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return make_error(errc::invalid_input,
                      "sqlite store: needs the path of a database file (\"" + path +
                          "\" is not one: :memory: and URIs are not supported)");
  }
  if (opts.read_connections == 0) {
    return make_error(errc::invalid_input, "sqlite store: read_connections must be at least 1");
  }
  if (!opts.clock) return make_error(errc::invalid_input, "sqlite store: options.clock is empty");
  if (opts.takeover_interval < std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "sqlite store: takeover_interval must not be negative");
  }

  // WAL: a commit appends to the log, readers keep reading the last committed state meanwhile,
  // and several processes can share the file. synchronous is set per transaction (see write).
  // Store failures are storage failures: the store validates its inputs before SQL sees them.
  auto writer = sqlite::database::open(path, {.busy_timeout = opts.busy_timeout,
                                              .wal = true,
                                              .synchronous = {},
                                              .classify = sqlite::classify_as_storage});
  if (!writer) return std::move(writer).error();
  if (auto r = detail::ensure_sqlite_schema(*writer); !r) return std::move(r).error();
  std::string id;
  {
    auto q = writer->prepare("SELECT value FROM meta WHERE key = 'store_id'", "read store id");
    if (!q) return std::move(q).error();
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return make_error(errc::storage, "sqlite store: " + path + " has no store_id");
    id = q->text(0);
  }
  std::vector<sqlite::database> readers;
  for (std::size_t i = 0; i < opts.read_connections; ++i) {
    // The writer already switched the file to WAL; readers write nothing.
    auto r = sqlite::database::open(path, {.busy_timeout = opts.busy_timeout,
                                           .wal = false,
                                           .synchronous = {},
                                           .classify = sqlite::classify_as_storage});
    if (!r) return std::move(r).error();
    if (auto q = r->exec("PRAGMA query_only = 1", "make reader read-only"); !q) {
      return std::move(q).error();
    }
    readers.push_back(std::move(*r));
  }
  auto lock = worker_lock::acquire(path + "-workers");
  if (!lock) return std::move(lock).error();
  std::unique_ptr<sqlite_store> store(new sqlite_store(file, std::move(opts), std::move(*writer),
                                                       std::move(readers), std::move(id),
                                                       std::move(*lock)));
  // Start-up: the leases of workers that died (their lock is free) end now, so the first claim
  // runs them instead of waiting for their lease.
  auto gone = store->lock_.find_gone();
  if (!gone.empty()) {
    auto released = store->write(commit_kind::progress, [&](sqlite::database& c) {
      const time_point now = store->now_();
      auto workers = leasing_workers(c, now);
      if (!workers) return result<std::int64_t>(std::move(workers).error());
      return release_leases(c, *workers, gone, now);
    });
    if (!released) return std::move(released).error();
    for (auto& g : gone) g.remove_file();
  }
  return store;
}

SYNCLINE_DECL sqlite_store::~sqlite_store() {
  auto c = readers_.acquire();
  auto workers = leasing_workers(*c, now_());
  if (!workers) {
    lock_.keep_file();  // unknown: keep it; a later store removes it once it proves us gone
    return;
  }
  for (const auto& w : *workers) {
    if (w.ends_with("@" + lock_.identity())) {
      lock_.keep_file();
      return;
    }
  }
}

SYNCLINE_DECL result<std::vector<enqueue_result>> sqlite_store::enqueue(
    std::span<const new_run> runs) {
  if (auto v = validate_all(runs); !v) return std::move(v).error();
  if (runs.empty()) return std::vector<enqueue_result>{};
  return write(commit_kind::acknowledgement,
               [&](sqlite::database& c) { return enqueue_in(c, runs, false); });
}

SYNCLINE_DECL result<std::vector<enqueue_result>> sqlite_store::enqueue_with_cursor(
    std::span<const new_run> runs, const cursor_update& cursor) {
  if (auto v = validate_all(runs); !v) return std::move(v).error();
  if (auto v = detail::check_cursor_key(cursor.key); !v) return std::move(v).error();
  return write(commit_kind::acknowledgement,
               [&](sqlite::database& c) -> result<std::vector<enqueue_result>> {
                 auto out = enqueue_in(c, runs, true);
                 if (!out) return out;
                 if (auto r = upsert_cursor(c, cursor); !r) return std::move(r).error();
                 return out;
               });
}

namespace sqlite_store_detail {
// As random as a claim's token (lower(hex(randomblob(16))), sqlite_store_claim.ipp), from the
// same generator.
inline std::string new_lease_token() {
  unsigned char bytes[16];
  ::sqlite3_randomness(sizeof bytes, bytes);
  static constexpr char digits[] = "0123456789abcdef";
  std::string token(2 * sizeof bytes, '0');
  for (std::size_t i = 0; i < sizeof bytes; ++i) {
    token[2 * i] = digits[bytes[i] >> 4];
    token[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
  return token;
}
}  // namespace sqlite_store_detail

SYNCLINE_DECL result<std::vector<enqueue_result>> sqlite_store::enqueue_and_lease(
    std::span<const new_run> runs, const lease_request& lease, std::vector<claimed_run>& leased) {
  if (lease.max == 0) return enqueue(runs);
  if (lease.lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "enqueue_and_lease: the lease must be positive");
  }
  if (auto v = validate_all(runs); !v) return std::move(v).error();
  if (runs.empty()) return std::vector<enqueue_result>{};
  const std::string holder = std::string(lease.worker) + "@" + lock_.identity();
  std::vector<claimed_run> mine;  // handed out only once committed
  auto out = write(commit_kind::acknowledgement, [&](sqlite::database& c) {
    mine.clear();
    return enqueue_in(c, runs, false, {&lease, holder, &mine});
  });
  if (out) {
    leased.insert(leased.end(), std::make_move_iterator(mine.begin()),
                  std::make_move_iterator(mine.end()));
  }
  return out;
}

SYNCLINE_DECL result<void> sqlite_store::renew_lease(claimed_run& run,
                                                     std::chrono::milliseconds lease) {
  if (lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "renew lease: the lease must be positive");
  }
  time_point until{};
  auto r = write(commit_kind::progress, [&](sqlite::database& c) -> result<void> {
    const time_point now = now_();
    until = now + lease;
    auto q =
        c.prepare("UPDATE runs SET due_at = ?1, updated_at = ?2 WHERE id = ?3 AND lease_token = ?4",
                  "renew lease");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(until, now, run.id, run.lease_token).exec(); !e) return e;
    return lease_held(c, run.id, "renew its lease");
  });
  if (r) run.lease_until = until;
  return r;
}

SYNCLINE_DECL result<void> sqlite_store::complete(const claimed_run& run, run_status final_status,
                                                  std::string_view error) {
  if (auto v = detail::check_run_end(run.id, final_status, false); !v) return v;
  return end_one(run, final_status, error, {});
}

SYNCLINE_DECL result<void> sqlite_store::retry_later(const claimed_run& run, time_point when,
                                                     std::string_view error) {
  return end_one(run, run_status::retry_wait, error, when);
}

SYNCLINE_DECL result<void> sqlite_store::end_one(const claimed_run& run, run_status status,
                                                 std::string_view error, time_point when) {
  return write(commit_kind::progress, [&](sqlite::database& c) -> result<void> {
    detail::run_count_moves counted;
    if (auto r = end_run(c, run, status, error, when, counted); !r) return r;
    return counted.apply(c);
  });
}

SYNCLINE_DECL result<std::vector<result<void>>> sqlite_store::finish_many(
    std::span<const run_completion> runs, std::span<const block_event_record> events) {
  if (runs.empty() && events.empty()) return std::vector<result<void>>{};
  return write(commit_kind::progress,
               [&](sqlite::database& c) { return finish_in(c, runs, events); });
}

SYNCLINE_DECL result<std::vector<result<void>>> sqlite_store::finish_in(
    sqlite::database& c, std::span<const run_completion> runs,
    std::span<const block_event_record> events) {
  if (auto r = detail::insert_run_log(c, events); !r) return std::move(r).error();
  std::vector<result<void>> answers;
  answers.reserve(runs.size());
  detail::run_count_moves counted;
  for (const auto& done : runs) {
    if (!done.run) {
      answers.push_back(make_error(errc::invalid_input, "finish_many: a completion without run"));
      continue;
    }
    if (auto v = detail::check_run_end(done.run->id, done.status, true); !v) {
      answers.push_back(std::move(v));
      continue;
    }
    auto r = end_run(c, *done.run, done.status, done.error, done.retry_at, counted);
    if (!r && r.error().category == errc::storage) return std::move(r).error();
    answers.push_back(std::move(r));
  }
  if (auto r = counted.apply(c); !r) return std::move(r).error();
  return answers;
}

SYNCLINE_DECL result<std::vector<enqueue_result>> sqlite_store::enqueue_and_finish(
    std::span<const run_completion> ends, std::span<const block_event_record> events,
    std::vector<result<void>>& ended, std::span<const new_run> runs, const lease_request& lease,
    std::vector<claimed_run>& leased) {
  // Every end is answered, also when nothing was written.
  auto refuse = [&](::syncline::error e) -> result<std::vector<enqueue_result>> {
    ended.assign(ends.size(), result<void>(e));
    return e;
  };
  if (auto v = refuse_enqueue_and_finish(runs, lease); !v) return refuse(std::move(v).error());
  if (runs.empty() && ends.empty() && events.empty()) {
    ended.clear();
    return std::vector<enqueue_result>{};
  }
  const std::string holder =
      lease.max > 0 ? std::string(lease.worker) + "@" + lock_.identity() : std::string();
  std::vector<claimed_run> mine;  // handed out only once committed
  std::vector<result<void>> answers;
  auto out = write(runs.empty() ? commit_kind::progress : commit_kind::acknowledgement,
                   [&](sqlite::database& c) -> result<std::vector<enqueue_result>> {
                     mine.clear();
                     auto finished = finish_in(c, ends, events);
                     if (!finished) return std::move(finished).error();
                     answers = std::move(*finished);
                     if (runs.empty()) return std::vector<enqueue_result>{};
                     if (lease.max == 0) return enqueue_in(c, runs, false);
                     return enqueue_in(c, runs, false, {&lease, holder, &mine});
                   });
  if (!out) return refuse(out.error());
  ended = std::move(answers);
  leased.insert(leased.end(), std::make_move_iterator(mine.begin()),
                std::make_move_iterator(mine.end()));
  return out;
}

SYNCLINE_DECL result<std::optional<time_point>> sqlite_store::next_due() {
  auto c = readers_.acquire();
  auto q = c->prepare("SELECT min(due_at) FROM runs WHERE due_at IS NOT NULL", "next due run");
  if (!q) return std::move(q).error();
  auto row = q->step();
  if (!row) return std::move(row).error();
  return *row ? q->optional_time(0) : std::nullopt;
}

SYNCLINE_DECL result<void> sqlite_store::append_block_events(
    std::span<const block_event_record> events) {
  if (events.empty()) return {};
  return write(commit_kind::progress,
               [&](sqlite::database& c) { return detail::insert_run_log(c, events); });
}

SYNCLINE_DECL result<std::vector<block_event_record>> sqlite_store::block_events(
    std::int64_t run_id) {
  auto c = readers_.acquire();
  return detail::read_run_log(*c, run_id);
}

SYNCLINE_DECL result<std::vector<run_record>> sqlite_store::query_runs(const run_query& query) {
  if (query.limit > max_query_limit) {
    return make_error(errc::invalid_input, "run query: limit " + std::to_string(query.limit) +
                                               " is above the page size maximum " +
                                               std::to_string(max_query_limit) +
                                               "; page with before_id");
  }
  std::string sql = query.with_payload ? run_columns_with_payload : run_columns;
  sql += " FROM runs WHERE 1";
  std::vector<sqlite::value> params;
  add_filter(sql, params, query.filter);
  if (query.status) {
    // The status is one of six fixed words, written into the SQL rather than bound, so that the
    // planner can prove the query matches a partial index: runs_dead for the dead letters,
    // runs_due (due_at IS NOT NULL) for the unfinished states.
    sql += " AND status = '";
    sql += to_string(*query.status);
    sql += "'";
    if (*query.status == run_status::queued || *query.status == run_status::running ||
        *query.status == run_status::retry_wait) {
      sql += " AND due_at IS NOT NULL";
    }
  }
  if (query.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*query.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(static_cast<std::int64_t>(query.limit));

  auto c = readers_.acquire();
  auto q = c->prepare(sql, "query runs");
  if (!q) return std::move(q).error();
  for (std::size_t i = 0; i < params.size(); ++i) q->bind_at(static_cast<int>(i) + 1, params[i]);
  std::vector<run_record> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(read_run(*q, query.with_payload));
  }
}

SYNCLINE_DECL result<run_record> sqlite_store::get_run(std::int64_t run_id) {
  auto c = readers_.acquire();
  auto q =
      c->prepare(std::string(run_columns_with_payload) + " FROM runs WHERE id = ?1", "read run");
  if (!q) return std::move(q).error();
  q->bind(run_id);
  auto row = q->step();
  if (!row) return std::move(row).error();
  if (!*row) return detail::no_such_run(run_id);
  return read_run(*q, true);
}

SYNCLINE_DECL result<void> sqlite_store::replay(std::int64_t run_id) {
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<void> {
    const time_point now = now_();
    auto q = c.prepare(std::string(replay_update) + " AND id = ?2", "replay run");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(now, run_id).exec(); !e) return e;
    if (c.changes() == 1) {
      detail::run_count_moves counted;
      counted.move(run_status::dead, run_status::queued);
      return counted.apply(c);
    }
    auto status = status_of(c, run_id);
    if (!status) return std::move(status).error();
    if (!*status) return detail::no_such_run(run_id);
    return make_error(errc::conflict, "replay run " + std::to_string(run_id) + ": it is " +
                                          std::string(to_string(**status)) +
                                          "; only dead runs can be replayed");
  });
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::replay_all(const run_filter& filter) {
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<std::int64_t> {
    std::string sql = replay_update;
    std::vector<sqlite::value> params{sqlite::to_ns(now_())};
    add_filter(sql, params, filter);
    auto q = c.prepare(sql, "replay dead runs");
    if (!q) return std::move(q).error();
    for (std::size_t i = 0; i < params.size(); ++i) {
      q->bind_at(static_cast<int>(i) + 1, params[i]);
    }
    if (auto e = q->exec(); !e) return std::move(e).error();
    const std::int64_t replayed = c.changes();
    detail::run_count_moves counted;
    counted.move(run_status::dead, run_status::queued, replayed);
    if (auto r = counted.apply(c); !r) return std::move(r).error();
    return replayed;
  });
}

SYNCLINE_DECL result<prune_result> sqlite_store::prune(
    std::chrono::system_clock::duration keep_finished) {
  const time_point now = now_();
  const time_point cutoff = now - keep_finished;
  prune_result out;
  // No index by finish time (schema 10): a run finished before the cutoff was created before it,
  // and ids grow with creation, so those runs are among the ids below the first run created at or
  // after the cutoff (found through runs_by_created), walked in id order. A run that finished
  // before the cutoff but has a higher id (the clocks of two processes disagree) waits for a
  // later prune.
  std::int64_t end = 0;
  {
    auto c = readers_.acquire();
    auto q = c->prepare(
        "SELECT coalesce((SELECT id FROM runs WHERE created_at >= ?1 ORDER BY created_at LIMIT 1), "
        "(SELECT max(id) + 1 FROM runs), 0)",
        "find the runs created before the prune's cutoff");
    if (!q) return std::move(q).error();
    q->bind(cutoff);
    auto row = q->step();
    if (!row) return std::move(row).error();
    end = q->int64(0);
  }
  // Small transactions, so an enqueue waiting for the writer never waits for a whole prune. Each
  // takes the next chunk after the last one's highest id, so unfinished runs among old ones are
  // walked past once per prune, not once per chunk.
  std::int64_t after = 0;
  for (;;) {
    std::int64_t taken = 0;
    auto n = write(commit_kind::progress, [&](sqlite::database& c) -> result<std::int64_t> {
      auto chunk = c.prepare(
          "SELECT count(*), coalesce(max(id), 0) FROM (SELECT id FROM runs WHERE id > ?1 AND "
          "id < ?2 AND finished_at < ?3 ORDER BY id LIMIT ?4)",
          "find the next runs to prune");
      if (!chunk) return std::move(chunk).error();
      chunk->bind(after, end, cutoff, prune_chunk);
      auto row = chunk->step();
      if (!row) return std::move(row).error();
      taken = chunk->int64(0);
      const std::int64_t upto = chunk->int64(1);
      if (taken == 0) return std::int64_t{0};
      auto events = c.prepare(
          "DELETE FROM run_log WHERE run_id IN (SELECT id FROM runs WHERE id > ?1 AND id <= ?2 "
          "AND finished_at < ?3)",
          "prune the run log");
      if (!events) return std::move(events).error();
      if (auto e = events->bind(after, upto, cutoff).exec(); !e) return std::move(e).error();
      auto runs = c.prepare(
          "DELETE FROM runs WHERE id > ?1 AND id <= ?2 AND finished_at < ?3 RETURNING status",
          "prune runs");
      if (!runs) return std::move(runs).error();
      runs->bind(after, upto, cutoff);
      auto deleted = detail::delete_runs_counted(c, *runs);
      if (deleted) after = upto;
      return deleted;
    });
    if (!n) return std::move(n).error();
    out.runs += *n;
    if (taken < prune_chunk) break;
  }
  auto keys = prune_dedupe_keys(now - opts_.dedupe_window);
  if (!keys) return std::move(keys).error();
  out.dedupe_keys = *keys;
  auto echoes = delete_in_chunks(
      "DELETE FROM echoes WHERE (tenant, integration, record_id, fingerprint) IN "
      "(SELECT tenant, integration, record_id, fingerprint FROM echoes "
      "WHERE written_at <= ?1 LIMIT ?2)",
      "prune echo records", now - opts_.echo_window);
  if (!echoes) return std::move(echoes).error();
  out.echo_records = *echoes;
  auto states = delete_in_chunks(
      "DELETE FROM install_states WHERE state IN "
      "(SELECT state FROM install_states WHERE expires_at <= ?1 LIMIT ?2)",
      "prune install states", now);
  if (!states) return std::move(states).error();
  out.install_states = *states;
  return out;
}

SYNCLINE_DECL result<std::optional<std::string>> sqlite_store::get_cursor(const cursor_key& key) {
  auto c = readers_.acquire();
  auto q = c->prepare(
      "SELECT value FROM cursors WHERE tenant = ?1 AND integration = ?2 AND trigger_name = ?3",
      "read cursor");
  if (!q) return std::move(q).error();
  q->bind(key.tenant, key.integration, key.trigger);
  auto row = q->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(q->text(0));
}

SYNCLINE_DECL result<void> sqlite_store::set_cursor(const cursor_update& cursor) {
  if (auto v = detail::check_cursor_key(cursor.key); !v) return v;
  return write(commit_kind::acknowledgement,
               [&](sqlite::database& c) { return upsert_cursor(c, cursor); });
}

SYNCLINE_DECL result<void> sqlite_store::record_echo(const echo_record& written) {
  if (auto v = detail::check_echo(written); !v) return v;
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<void> {
    auto q = c.prepare(
        "INSERT INTO echoes (tenant, integration, record_id, fingerprint, written_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, integration, record_id, fingerprint) "
        "DO UPDATE SET written_at = excluded.written_at",
        "record echo");
    if (!q) return std::move(q).error();
    return q
        ->bind(written.tenant, written.integration, written.record_id, written.fingerprint, now_())
        .exec();
  });
}

SYNCLINE_DECL result<bool> sqlite_store::is_echo(const echo_record& received) {
  if (auto v = detail::check_echo(received); !v) return std::move(v).error();
  auto c = readers_.acquire();
  auto q = c->prepare(
      "SELECT 1 FROM echoes WHERE tenant = ?1 AND integration = ?2 AND record_id = ?3 "
      "AND fingerprint = ?4 AND written_at > ?5",
      "check echo");
  if (!q) return std::move(q).error();
  q->bind(received.tenant, received.integration, received.record_id, received.fingerprint,
          now_() - opts_.echo_window);
  return q->step();
}

SYNCLINE_DECL result<void> sqlite_store::validate_all(std::span<const new_run> runs) {
  for (const auto& r : runs) {
    if (auto v = syncline::store::validate(r); !v) return v;
  }
  return {};
}

SYNCLINE_DECL result<std::vector<enqueue_result>> sqlite_store::enqueue_in(
    sqlite::database& c, std::span<const new_run> runs, bool all_or_nothing,
    detail::lease_on_insert leasing) {
  const time_point now = now_();
  std::optional<std::int64_t> room;  // nullopt: unbounded
  if (opts_.max_unfinished_runs > 0) {
    auto counts = read_counts(c);
    if (!counts) return std::move(counts).error();
    room = opts_.max_unfinished_runs - counts->unfinished();
  }
  std::vector<enqueue_result> out;
  out.reserve(runs.size());
  detail::run_count_moves counted;
  for (const auto& r : runs) {
    if (!r.dedupe_key.empty()) {
      auto seen = find_recent_key(c, r, now);
      if (!seen) return std::move(seen).error();
      if (*seen) {
        out.push_back({enqueue_result::duplicate, **seen});
        continue;
      }
    }
    if (room && *room <= 0) {
      if (all_or_nothing) {
        return make_error(errc::unavailable,
                          "run queue is full (" + std::to_string(opts_.max_unfinished_runs) +
                              " unfinished runs); nothing was queued, retry later");
      }
      out.push_back({enqueue_result::queue_full, 0});
      continue;
    }
    std::optional<claimed_run> leased;
    if (leasing.wants_more()) {
      leased = detail::leased_run(r, sqlite_store_detail::new_lease_token(), now,
                                  now + leasing.lease->lease);
    }
    auto id = insert_run(c, r, now, leased ? &*leased : nullptr, leasing.holder);
    if (!id) return std::move(id).error();
    if (!r.dedupe_key.empty()) {
      if (auto k = remember_key(c, r, *id, now); !k) return std::move(k).error();
    }
    if (room) --*room;
    counted.add(leased ? run_status::running : run_status::queued);
    out.push_back({enqueue_result::accepted, *id});
    if (leased) {
      leased->id = *id;
      leased->idempotency_key = idempotency_key(*id);
      leasing.leased->push_back(std::move(*leased));
    }
  }
  if (auto r = counted.apply(c); !r) return std::move(r).error();
  return out;
}

SYNCLINE_DECL result<std::optional<std::int64_t>> sqlite_store::find_recent_key(sqlite::database& c,
                                                                                const new_run& r,
                                                                                time_point now) {
  auto q = c.prepare(
      "SELECT run_id FROM dedupe_keys WHERE tenant = ?1 AND integration = ?2 AND "
      "trigger_name = ?3 AND dedupe_key = ?4 AND seen_at > ?5",
      "look up dedupe key");
  if (!q) return std::move(q).error();
  q->bind(r.tenant, r.integration, r.trigger, r.dedupe_key, now - opts_.dedupe_window);
  auto row = q->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(q->int64(0));
}

SYNCLINE_DECL result<void> sqlite_store::remember_key(sqlite::database& c, const new_run& r,
                                                      std::int64_t run_id, time_point now) {
  // REPLACE, not an update in place: a key seen again after its window (the look-up found none)
  // takes a new id, at the end of the table, so the expired keys stay a prefix (prune).
  auto q = c.prepare(
      "INSERT OR REPLACE INTO dedupe_keys (tenant, integration, trigger_name, dedupe_key, run_id, "
      "seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      "remember dedupe key");
  if (!q) return std::move(q).error();
  return q->bind(r.tenant, r.integration, r.trigger, r.dedupe_key, run_id, now).exec();
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::insert_run(sqlite::database& c, const new_run& r,
                                                            time_point now,
                                                            const claimed_run* leased_to,
                                                            std::string_view holder) {
  if (leased_to) {
    // As a claim leaves a run (sqlite_store_claim.ipp): running, due when its lease ends.
    auto q = c.prepare(
        "INSERT INTO runs (tenant, integration, workflow, trigger_name, dedupe_key, "
        "status, attempts, lease_token, worker, due_at, created_at, updated_at, workflow_version) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'running', 1, ?6, ?7, ?8, ?9, ?9, ?10)",
        "queue a run leased at once");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(r.tenant, r.integration, r.workflow, r.trigger, r.dedupe_key,
                         leased_to->lease_token, holder, leased_to->lease_until, now,
                         static_cast<std::int64_t>(r.workflow_version))
                     .exec();
        !e) {
      return std::move(e).error();
    }
  } else {
    auto q = c.prepare(
        "INSERT INTO runs (tenant, integration, workflow, trigger_name, dedupe_key, "
        "status, due_at, created_at, updated_at, workflow_version) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?6, ?6, ?7)",
        "queue run");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(r.tenant, r.integration, r.workflow, r.trigger, r.dedupe_key, now,
                         static_cast<std::int64_t>(r.workflow_version))
                     .exec();
        !e) {
      return std::move(e).error();
    }
  }
  const std::int64_t id = c.last_insert_rowid();
  // Its own table (schema 9): the leases and the end rewrite the runs row, never the payload.
  auto p = c.prepare("INSERT INTO run_payloads (run_id, payload) VALUES (?1, ?2)",
                     "keep the run's payload");
  if (!p) return std::move(p).error();
  if (auto e = p->bind(id, r.payload).exec(); !e) return std::move(e).error();
  return id;
}

SYNCLINE_DECL result<void> sqlite_store::upsert_cursor(sqlite::database& c,
                                                       const cursor_update& cursor) {
  if (cursor.after) {
    // Inside the write transaction: no other writer can move the cursor between this read and
    // the write below.
    auto read = c.prepare(
        "SELECT value FROM cursors WHERE tenant = ?1 AND integration = ?2 AND trigger_name = ?3",
        "read cursor");
    if (!read) return std::move(read).error();
    read->bind(cursor.key.tenant, cursor.key.integration, cursor.key.trigger);
    auto row = read->step();
    if (!row) return std::move(row).error();
    std::optional<std::string> stored;
    if (*row) stored = read->text(0);
    if (stored != cursor.after->value) {
      return make_error(errc::conflict,
                        "cursor of " + cursor.key.trigger + " (tenant " + cursor.key.tenant +
                            ") was moved by another process since it was read; nothing written");
    }
  }
  auto q = c.prepare(
      "INSERT INTO cursors (tenant, integration, trigger_name, value, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, integration, trigger_name) "
      "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      "advance cursor");
  if (!q) return std::move(q).error();
  return q
      ->bind(cursor.key.tenant, cursor.key.integration, cursor.key.trigger, cursor.value, now_())
      .exec();
}

SYNCLINE_DECL result<run_counts> sqlite_store::read_counts(sqlite::database& c) {
  auto q = c.prepare("SELECT status, n FROM run_counts", "count runs");
  if (!q) return std::move(q).error();
  run_counts out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    const std::int64_t n = q->int64(1);
    switch (parse_run_status(q->text(0)).value_or(run_status::queued)) {
      case run_status::queued: out.queued = n; break;
      case run_status::running: out.running = n; break;
      case run_status::succeeded: out.succeeded = n; break;
      case run_status::skipped: out.skipped = n; break;
      case run_status::retry_wait: out.retry_wait = n; break;
      case run_status::dead: out.dead = n; break;
    }
  }
}

SYNCLINE_DECL result<std::optional<run_status>> sqlite_store::status_of(sqlite::database& c,
                                                                        std::int64_t run_id) {
  auto q = c.prepare("SELECT status FROM runs WHERE id = ?1", "read run status");
  if (!q) return std::move(q).error();
  q->bind(run_id);
  auto row = q->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<run_status>{};
  return parse_run_status(q->text(0));
}

SYNCLINE_DECL result<void> sqlite_store::end_run(sqlite::database& c, const claimed_run& run,
                                                 run_status status, std::string_view error,
                                                 time_point when,
                                                 detail::run_count_moves& counted) {
  const time_point now = now_();
  if (status == run_status::retry_wait) {
    auto q = c.prepare(
        "UPDATE runs SET status = 'retry_wait', due_at = ?1, lease_token = NULL, "
        "last_error = ?2, updated_at = ?3 WHERE id = ?4 AND lease_token = ?5",
        "schedule retry");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(when, error, now, run.id, run.lease_token).exec(); !e) return e;
    if (auto held = lease_held(c, run.id, "schedule a retry"); !held) return held;
    counted.move(run_status::running, status);
    return {};
  }
  auto q = c.prepare(
      "UPDATE runs SET status = ?1, due_at = NULL, lease_token = NULL, last_error = ?2, "
      "finished_at = ?3, updated_at = ?3 WHERE id = ?4 AND lease_token = ?5",
      "complete run");
  if (!q) return std::move(q).error();
  if (auto e = q->bind(to_string(status), error, now, run.id, run.lease_token).exec(); !e) {
    return e;
  }
  if (auto held = lease_held(c, run.id, "complete it"); !held) return held;
  // The lease token matched, so the run was running (the table's CHECK ties the two).
  counted.move(run_status::running, status);
  return {};
}

SYNCLINE_DECL result<void> sqlite_store::lease_held(sqlite::database& c, std::int64_t run_id,
                                                    std::string_view action) {
  if (c.changes() == 1) return {};
  auto status = status_of(c, run_id);
  if (!status) return std::move(status).error();
  if (!*status) return detail::no_such_run(run_id);
  return detail::lease_lost(run_id, to_string(**status), action);
}

SYNCLINE_DECL void sqlite_store::add_filter(std::string& sql, std::vector<sqlite::value>& params,
                                            const run_filter& f) {
  auto add = [&](const char* condition, sqlite::value v) {
    sql += condition;
    params.push_back(std::move(v));
  };
  if (f.tenant) add(" AND tenant = ?", *f.tenant);
  if (f.integration) add(" AND integration = ?", *f.integration);
  if (f.workflow) add(" AND workflow = ?", *f.workflow);
  if (f.from) add(" AND created_at >= ?", sqlite::to_ns(*f.from));
  if (f.to) add(" AND created_at < ?", sqlite::to_ns(*f.to));
}

SYNCLINE_DECL run_record sqlite_store::read_run(const sqlite::statement& q, bool with_payload) {
  run_record r;
  r.id = q.int64(0);
  r.tenant = q.text(1);
  r.integration = q.text(2);
  r.workflow = q.text(3);
  r.trigger = q.text(4);
  r.dedupe_key = q.text(5);
  r.status = parse_run_status(q.text(6)).value_or(run_status::queued);
  r.attempts = q.int32(7);
  r.last_error = q.text(8);
  r.worker = q.text(9);
  r.created_at = q.time(10);
  r.updated_at = q.time(11);
  r.finished_at = q.optional_time(12);
  r.workflow_version = static_cast<std::uint32_t>(q.int64(13));
  if (with_payload) r.payload = q.text(14);
  return r;
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::prune_dedupe_keys(time_point cutoff) {
  // The keys are in the order they were remembered (schema 10), so the expired ones are the
  // table's prefix up to the first key still in its window: found once, by a scan of that prefix
  // alone, then deleted in chunks. Keys remembered meanwhile come after it. A key seen again
  // after its window was remembered anew (REPLACE), possibly with an id below the end (the id of
  // the newest key, deleted by the replace, is reused): its seen_at keeps it. An expired key
  // after the first live one (clocks of two processes that disagree) waits for a later prune;
  // look-ups ignore it, since they compare seen_at too.
  std::int64_t end = 0;
  {
    auto c = readers_.acquire();
    auto q = c->prepare(
        "SELECT coalesce((SELECT id FROM dedupe_keys WHERE seen_at > ?1 ORDER BY id LIMIT 1), "
        "(SELECT max(id) + 1 FROM dedupe_keys), 0)",
        "find the end of the expired dedupe keys");
    if (!q) return std::move(q).error();
    q->bind(cutoff);
    auto row = q->step();
    if (!row) return std::move(row).error();
    end = q->int64(0);
  }
  std::int64_t total = 0;
  for (;;) {
    auto n = write(commit_kind::progress, [&](sqlite::database& c) -> result<std::int64_t> {
      auto q = c.prepare(
          "DELETE FROM dedupe_keys WHERE id IN (SELECT id FROM dedupe_keys WHERE id < ?1 AND "
          "seen_at <= ?2 ORDER BY id LIMIT ?3)",
          "prune dedupe keys");
      if (!q) return std::move(q).error();
      if (auto e = q->bind(end, cutoff, prune_chunk).exec(); !e) return std::move(e).error();
      return c.changes();
    });
    if (!n) return n;
    total += *n;
    if (*n < prune_chunk) return total;
  }
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::delete_in_chunks(const char* sql,
                                                                  std::string_view what,
                                                                  time_point cutoff) {
  std::int64_t total = 0;
  for (;;) {
    auto n = write(commit_kind::progress, [&](sqlite::database& c) -> result<std::int64_t> {
      auto q = c.prepare(sql, what);
      if (!q) return std::move(q).error();
      if (auto e = q->bind(cutoff, prune_chunk).exec(); !e) return std::move(e).error();
      return c.changes();
    });
    if (!n) return n;
    total += *n;
    if (*n < prune_chunk) return total;
  }
}

SYNCLINE_DECL result<bool> sqlite_store::lead(std::string_view role) {
  if (!valid_role_name(role)) return invalid_role_name("lead", role);
  std::lock_guard lock(roles_mu_);
  if (roles_.find(role) != roles_.end()) return true;
  auto taken = role_lock::try_take(file_.string() + "-workers", role);
  if (!taken) return std::move(taken).error();
  if (!*taken) return false;
  roles_.emplace(std::string(role), std::move(**taken));
  return true;
}

SYNCLINE_DECL result<void> sqlite_store::resign(std::string_view role) {
  if (!valid_role_name(role)) return invalid_role_name("resign", role);
  std::lock_guard lock(roles_mu_);
  if (auto it = roles_.find(role); it != roles_.end()) roles_.erase(it);
  return {};
}

SYNCLINE_DECL result<std::chrono::nanoseconds> sqlite_store::reserve_rate(const rate_bucket& bucket,
                                                                          double cost) {
  if (auto v = detail::check_rate_call(bucket, cost, "cost"); !v) return std::move(v).error();
  auto wait = update_rate_bucket(bucket, [&](http::leaky_bucket& b) { return b.reserve(cost); });
  if (!wait) return std::move(wait).error();
  return detail::rate_wait(*wait);
}

SYNCLINE_DECL result<void> sqlite_store::observe_rate(const rate_bucket& bucket, double used) {
  if (auto v = detail::check_rate_call(bucket, used, "used count"); !v) return v;
  auto r = update_rate_bucket(bucket, [&](http::leaky_bucket& b) {
    b.observe(used);
    return 0.0;
  });
  if (!r) return std::move(r).error();
  return {};
}

template <class Change>
result<double> sqlite_store::update_rate_bucket(const rate_bucket& bucket, Change change) {
  // Progress durability: a bucket lost in a crash only starts empty again, and Shopify's own
  // count (observe_rate) raises it at the next answer.
  return write(commit_kind::progress, [&](sqlite::database& c) -> result<double> {
    auto q =
        c.prepare("SELECT level, updated_at FROM rate_buckets WHERE name = ?1", "read rate bucket");
    if (!q) return std::move(q).error();
    q->bind(bucket.name);
    auto row = q->step();
    if (!row) return std::move(row).error();
    std::optional<double> level;
    std::optional<std::int64_t> updated;
    if (*row) {
      level = q->real(0);
      updated = q->int64(1);
    }
    q->reset();
    const time_point now = now_();
    http::leaky_bucket b = detail::rate_bucket_now(bucket, level, updated.value_or(0), now);
    const double answer = change(b);
    auto w = c.prepare(
        "INSERT INTO rate_buckets (name, level, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET level = excluded.level, updated_at = "
        "excluded.updated_at",
        "write rate bucket");
    if (!w) return std::move(w).error();
    if (auto r = w->bind(bucket.name, b.level, detail::rate_bucket_time(updated, now)).exec(); !r) {
      return std::move(r).error();
    }
    return answer;
  });
}

}  // namespace syncline::store
