// The bodies of store::postgres_store: its SQL. Header-only with inline definitions (not an
// impl/*.ipp compiled into syncline::compiled): the PostgreSQL store is opt-in and needs libpq,
// which syncline::compiled must not. Included at the end of store/postgres_store.hpp.
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/detail/postgres_schema.hpp>
#include <syncline/store/postgres_store.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <unistd.h>

namespace syncline::store {

namespace postgres_store_detail {

using postgres::int64_at;
using postgres::is_null;
using postgres::row_count;
using postgres::text_at;

inline time_point time_at(const postgres::result_set& r, int row, int col) {
  return time_point(std::chrono::duration_cast<time_point::duration>(
      std::chrono::nanoseconds(int64_at(r, row, col))));
}
inline std::optional<time_point> optional_time_at(const postgres::result_set& r, int row, int col) {
  if (is_null(r, row, col)) return std::nullopt;
  return time_at(r, row, col);
}
inline std::string string_at(const postgres::result_set& r, int row, int col) {
  return std::string(text_at(r, row, col));
}

// The advisory lock key at the end of a recorded worker ("<worker>@<host>/<pid>/<16 hex>");
// nullopt when the name does not end in one (then nothing can be proved about its holder).
inline std::optional<std::int64_t> lock_key_of(std::string_view worker) {
  const auto slash = worker.rfind('/');
  if (worker.find('@') == std::string_view::npos || slash == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view hex = worker.substr(slash + 1);
  if (hex.size() != 16 || !std::ranges::all_of(hex, [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      })) {
    return std::nullopt;
  }
  std::uint64_t key = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), key, 16);
  return static_cast<std::int64_t>(key);
}

// A batch in the parts that each go into one multi-row statement.
template <class T>
std::vector<std::span<const T>> in_statements(std::span<const T> all) {
  constexpr std::size_t rows = 1000;  // far below the protocol's 65535 parameters
  std::vector<std::span<const T>> out;
  for (std::size_t from = 0; from < all.size(); from += rows) {
    out.push_back(all.subspan(from, std::min(rows, all.size() - from)));
  }
  return out;
}

// The run_counts rows of this session's shard that a transaction of several status-changing
// statements may change, locked at its start in the triggers' order (by status): a transaction
// that took one counter and then waited for another could deadlock with one that took them the
// other way round. Replay, replay_all and prune are one statement each.
//
// A claim's first round trip also pins its plans to ordered index scans. The statistics of a
// queue table are always stale (due_at grows past the histogram; in a young table reltuples is
// near 0), so the planner took a tenant's due runs for ~10 rows and read all of them through a
// bitmap scan and a sort (7,198 rows, 9 ms a claim, auto_explain in bench_store_scale), and
// leased through a sequential scan of the table (8 ms). The index scans stop after `max` rows.
inline constexpr const char* lock_claim_counts =
    "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off; "
    "SELECT 1 FROM run_counts WHERE status IN ('queued', 'retry_wait', 'running') "
    "AND shard = run_count_shard() ORDER BY status FOR UPDATE";
inline constexpr const char* lock_end_counts =
    "SELECT 1 FROM run_counts WHERE status IN ('dead', 'retry_wait', 'running', 'skipped', "
    "'succeeded') AND shard = run_count_shard() ORDER BY status FOR UPDATE";

// The counters an enqueue that leases some of its runs moves (queued and running), in order.
inline constexpr const char* lock_enqueue_counts =
    "SELECT 1 FROM run_counts WHERE status IN ('queued', 'running') "
    "AND shard = run_count_shard() ORDER BY status FOR UPDATE";

// Every counter of every shard, for a transaction that deletes runs of any status (erasure) and
// must take the counters before the runs' rows, as the others do. (status, shard) is one order
// that every session's own (status) order agrees with.
inline constexpr const char* lock_all_counts =
    "SELECT 1 FROM run_counts ORDER BY status, shard FOR UPDATE";

// Taken first by every transaction that adds unfinished runs (enqueue, replay), so they run one
// at a time: the bound on unfinished runs is exact, and no two enqueues race for a dedupe key.
inline constexpr const char* take_enqueue_turn = "SELECT 1 FROM enqueue_turn FOR UPDATE";

inline constexpr const char* run_columns =
    "SELECT id, tenant, integration, workflow, trigger_name, dedupe_key, status, attempts, "
    "last_error, worker, created_at, updated_at, finished_at, workflow_version";
inline constexpr const char* installation_columns =
    "SELECT integration, id, credentials, settings, created_at, updated_at, revision "
    "FROM tenants";

}  // namespace postgres_store_detail

inline std::string postgres_store::make_identity(std::int64_t key) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(static_cast<std::uint64_t>(key)));
  return std::string(host) + "/" + std::to_string(::getpid()) + "/" + hex;
}

inline result<std::unique_ptr<postgres_store>> postgres_store::open(std::string conninfo_text,
                                                                    postgres_store_options opts) {
  if (opts.connections == 0) {
    return make_error(errc::invalid_input, "postgres store: connections must be at least 1");
  }
  if (!opts.clock) return make_error(errc::invalid_input, "postgres store: options.clock is empty");
  if (opts.schema.empty()) {
    return make_error(errc::invalid_input, "postgres store: options.schema is empty");
  }
  if (opts.takeover_interval < std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input,
                      "postgres store: takeover_interval must not be negative");
  }
  secret conninfo(std::move(conninfo_text));
  // Every failure is the storage's (transient), except a value the server refuses as data.
  const postgres::connection_options copts{.classify = postgres::classify_as_storage};
  auto lock_c = connection::connect(conninfo, copts);
  if (!lock_c) return std::move(lock_c).error();
  if (auto r = detail::ensure_postgres_schema(*lock_c, opts.schema); !r) {
    return std::move(r).error();
  }
  const std::string session = "SET search_path TO " + detail::quote_identifier(opts.schema) +
                              "; SET synchronous_commit TO on; SET bytea_output TO hex";
  if (auto r = lock_c->exec(session); !r) return std::move(r).error();
  std::string id;
  {
    auto r = lock_c->exec("SELECT value FROM meta WHERE key = 'store_id'");
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) != 1) {
      return make_error(errc::storage, "postgres store: the database has no store_id");
    }
    id = postgres_store_detail::string_at(*r, 0, 0);
  }
  // This store's proof of life: a session lock on a random key, held until the session ends.
  std::random_device rd;
  std::int64_t key = 0;
  for (int attempt = 0; attempt < 8 && key == 0; ++attempt) {
    const std::uint64_t bits = (std::uint64_t{rd()} << 32) ^ rd();
    const auto candidate = static_cast<std::int64_t>(bits >> 1);  // positive
    if (candidate == 0) continue;
    auto r = lock_c->exec("SELECT pg_try_advisory_lock(" + std::to_string(candidate) + ")");
    if (!r) return std::move(r).error();
    if (postgres::text_at(*r, 0, 0) == "t") key = candidate;
  }
  if (key == 0) {
    return make_error(errc::storage, "postgres store: could not take an advisory lock key");
  }
  auto pool = postgres::connection_pool::open(conninfo, opts.connections, copts,
                                              [session](connection& c) -> result<void> {
                                                if (auto r = c.exec(session); !r)
                                                  return std::move(r).error();
                                                return {};
                                              });
  if (!pool) return std::move(pool).error();
  std::unique_ptr<postgres_store> store(new postgres_store(
      std::move(conninfo), std::move(opts), std::move(*pool), std::move(*lock_c), key, id));
  // Start-up: the leases of stores whose session ended end now, so the first claim runs them.
  auto released = store->write(commit_kind::progress, [&](connection& c) {
    return store->release_gone_stores(c, store->now_());
  });
  if (!released) return std::move(released).error();
  return store;
}

inline postgres_store::~postgres_store() {
  unwatch_new_runs();  // its thread calls into this store
  std::lock_guard guard(lock_mu_);
  if (!lock_connection_.broken()) (void)lock_connection_.exec("SELECT pg_advisory_unlock_all()");
}

inline void postgres_store::keep_lock() {
  std::lock_guard guard(lock_mu_);
  keep_lock_locked();
}

inline void postgres_store::keep_lock_locked() {
  // Reads whatever arrived, without waiting: a server that shut down sent a FATAL message, then
  // closed the socket; the second read meets the end and marks the connection broken.
  for (int read = 0; read < 2 && PQconsumeInput(lock_connection_.handle()) == 1; ++read) {
  }
  if (lock_connection_.broken()) roles_.clear();  // session locks end with their session
  if (lock_held_ && !lock_connection_.broken()) return;
  lock_held_ = false;
  if (!lock_connection_.ensure_connected()) return;  // the next claim tries again
  auto r = lock_connection_.exec("SELECT pg_try_advisory_lock(" + std::to_string(lock_key_) + ")");
  lock_held_ = r && postgres::text_at(*r, 0, 0) == "t";
}

inline result<std::vector<enqueue_result>> postgres_store::enqueue(std::span<const new_run> runs) {
  for (const auto& r : runs) {
    if (auto v = syncline::store::validate(r); !v) return std::move(v).error();
  }
  if (runs.empty()) return std::vector<enqueue_result>{};
  return write(commit_kind::acknowledgement,
               [&](connection& c) { return enqueue_in(c, runs, false); });
}

inline result<std::vector<enqueue_result>> postgres_store::enqueue_and_lease(
    std::span<const new_run> runs, const lease_request& lease, std::vector<claimed_run>& leased) {
  if (lease.max == 0) return enqueue(runs);
  if (lease.lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "enqueue_and_lease: the lease must be positive");
  }
  for (const auto& r : runs) {
    if (auto v = syncline::store::validate(r); !v) return std::move(v).error();
  }
  if (runs.empty()) return std::vector<enqueue_result>{};
  keep_lock();
  const std::string holder = std::string(lease.worker) + "@" + identity_;
  std::vector<claimed_run> mine;  // handed out only once committed
  auto out = write(commit_kind::acknowledgement, [&](connection& c) {
    mine.clear();
    return enqueue_in(c, runs, false, {&lease, holder, &mine});
  });
  if (out) {
    leased.insert(leased.end(), std::make_move_iterator(mine.begin()),
                  std::make_move_iterator(mine.end()));
  }
  return out;
}

inline result<std::vector<enqueue_result>> postgres_store::enqueue_with_cursor(
    std::span<const new_run> runs, const cursor_update& cursor) {
  for (const auto& r : runs) {
    if (auto v = syncline::store::validate(r); !v) return std::move(v).error();
  }
  if (auto v = detail::check_cursor_key(cursor.key); !v) {
    return std::move(v).error();
  }
  return write(commit_kind::acknowledgement,
               [&](connection& c) -> result<std::vector<enqueue_result>> {
                 auto out = enqueue_in(c, runs, true);
                 if (!out) return out;
                 if (auto r = upsert_cursor(c, cursor); !r) return std::move(r).error();
                 return out;
               });
}

inline result<std::vector<enqueue_result>> postgres_store::enqueue_in(
    connection& c, std::span<const new_run> runs, bool all_or_nothing,
    detail::lease_on_insert leasing) {
  using namespace postgres_store_detail;
  const time_point now = now_();
  if (auto r = c.exec(take_enqueue_turn); !r) return std::move(r).error();
  // Leased runs count as running, the others as queued: both counters of this session's shard,
  // locked in order (as every transaction takes them) before any INSERT's trigger moves them.
  if (leasing.lease) {
    if (auto r = c.exec(lock_enqueue_counts); !r) return std::move(r).error();
  }
  std::optional<std::int64_t> room;  // nullopt: unbounded
  if (opts_.max_unfinished_runs > 0) {
    auto counts = read_counts(c);
    if (!counts) return std::move(counts).error();
    room = opts_.max_unfinished_runs - counts->unfinished();
  }
  // The keys seen within the window, looked up for the whole batch at once.
  std::vector<std::optional<std::int64_t>> seen(runs.size());
  std::vector<std::size_t> keyed;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].dedupe_key.empty()) keyed.push_back(i);
  }
  for (const auto part : in_statements(std::span<const std::size_t>(keyed))) {
    parameters p;
    std::string sql = "SELECT v.i, d.run_id FROM (VALUES ";
    for (std::size_t n = 0; n < part.size(); ++n) {
      const new_run& r = runs[part[n]];
      sql += n == 0 ? "(" : ",(";
      sql += p.int64(static_cast<std::int64_t>(part[n])) + "::bigint," + p.text(r.tenant) +
             "::text," + p.text(r.integration) + "::text," + p.text(r.trigger) + "::text," +
             p.text(r.dedupe_key) + "::text)";
    }
    sql +=
        ") AS v(i, tenant, integration, trigger_name, dedupe_key) JOIN dedupe_keys d USING "
        "(tenant, integration, trigger_name, dedupe_key) WHERE d.seen_at > " +
        p.time(now - opts_.dedupe_window) + "::bigint";
    auto found = exec(c, sql, p);
    if (!found) return std::move(found).error();
    for (int row = 0; row < row_count(*found); ++row) {
      seen[static_cast<std::size_t>(int64_at(*found, row, 0))] = int64_at(*found, row, 1);
    }
  }
  // Answers in order, as if the runs were queued one by one: a key repeated within the batch is
  // a duplicate of its first accepted run.
  std::vector<enqueue_result> out(runs.size());
  std::vector<std::size_t> accepted;
  std::map<std::string, std::size_t> batch_keys;  // key -> index of the run accepted with it
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (run, the run it repeats)
  auto key_of = [](const new_run& r) {
    return r.tenant + '\0' + r.integration + '\0' + r.trigger + '\0' + r.dedupe_key;
  };
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].dedupe_key.empty()) {
      if (seen[i]) {
        out[i] = {enqueue_result::duplicate, *seen[i]};
        continue;
      }
      if (auto it = batch_keys.find(key_of(runs[i])); it != batch_keys.end()) {
        repeats.emplace_back(i, it->second);
        continue;
      }
    }
    if (room && *room <= 0) {
      if (all_or_nothing) {
        return make_error(errc::unavailable,
                          "run queue is full (" + std::to_string(opts_.max_unfinished_runs) +
                              " unfinished runs); nothing was queued, retry later");
      }
      out[i] = {enqueue_result::queue_full, 0};
      continue;
    }
    if (room) --*room;
    accepted.push_back(i);
    if (!runs[i].dedupe_key.empty()) batch_keys.emplace(key_of(runs[i]), i);
  }
  // One field of each run of a part (indexes into `runs`), for the batch's array parameters.
  auto field = [&runs](auto member) {
    return [&runs, member ](std::size_t i) -> const auto& { return runs[i].*member; };
  };
  // The first lease->max accepted runs are leased as they are inserted (enqueue_and_lease), as a
  // claim leaves a run: running, attempt 1, a fresh token, due when the lease ends.
  const std::size_t leasing_n =
      leasing.lease ? std::min(leasing.lease->max, accepted.size()) : std::size_t{0};
  const time_point until = leasing.lease ? now + leasing.lease->lease : now;
  std::size_t placed = 0;  // accepted runs inserted so far, in order
  for (const auto part : in_statements(std::span<const std::size_t>(accepted))) {
    // Fixed text, prepared once per session: the runs are seven arrays, and the first `$8` of
    // them (in order) are leased to `$9` until `$10`.
    parameters p;
    p.text_array(part, field(&new_run::tenant));
    p.text_array(part, field(&new_run::integration));
    p.text_array(part, field(&new_run::workflow));
    p.text_array(part, field(&new_run::trigger));
    p.text_array(part, field(&new_run::dedupe_key));
    p.bytes_array(part, field(&new_run::payload));
    p.int64_array(part, field(&new_run::workflow_version));
    p.int64(static_cast<std::int64_t>(leasing_n > placed ? leasing_n - placed : 0));
    p.text(leasing.lease ? leasing.holder : std::string_view{});
    p.time(until);
    p.time(now);
    const std::string sql =
        "INSERT INTO runs (tenant, integration, workflow, trigger_name, dedupe_key, payload, "
        "status, attempts, lease_token, worker, due_at, created_at, updated_at, "
        "workflow_version) "
        "SELECT v.tenant, v.integration, v.workflow, v.trigger_name, v.dedupe_key, v.payload, "
        "CASE WHEN v.n <= $8::bigint THEN 'running' ELSE 'queued' END, "
        "CASE WHEN v.n <= $8::bigint THEN 1 ELSE 0 END, "
        "CASE WHEN v.n <= $8::bigint THEN gen_random_uuid()::text END, "
        "CASE WHEN v.n <= $8::bigint THEN $9::text ELSE '' END, "
        "CASE WHEN v.n <= $8::bigint THEN $10::bigint ELSE $11::bigint END, "
        "$11::bigint, $11::bigint, v.workflow_version "
        "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], "
        "$7::integer[]) WITH ORDINALITY "
        "AS v(tenant, integration, workflow, trigger_name, dedupe_key, payload, workflow_version, "
        "n) ORDER BY v.n RETURNING id, lease_token";
    auto ids = exec_prepared(c, sql, p);
    if (!ids) return std::move(ids).error();
    // Identities are drawn in the SELECT's order, so the ids sorted are the runs in order.
    std::vector<std::pair<std::int64_t, std::string>> sorted;
    for (int row = 0; row < row_count(*ids); ++row) {
      sorted.emplace_back(int64_at(*ids, row, 0), string_at(*ids, row, 1));
    }
    std::ranges::sort(sorted);
    if (sorted.size() != part.size()) {
      return make_error(errc::storage, "enqueue: the database returned " +
                                           std::to_string(sorted.size()) + " ids for " +
                                           std::to_string(part.size()) + " runs");
    }
    for (std::size_t n = 0; n < part.size(); ++n, ++placed) {
      out[part[n]] = {enqueue_result::accepted, sorted[n].first};
      if (placed >= leasing_n) continue;
      auto leased = detail::leased_run(runs[part[n]], std::move(sorted[n].second), now, until);
      leased.id = sorted[n].first;
      leased.idempotency_key = idempotency_key(leased.id);
      leasing.leased->push_back(std::move(leased));
    }
  }
  for (auto [i, first] : repeats) out[i] = {enqueue_result::duplicate, out[first].run_id};
  // Runs leased as they were queued are running already: only the others are news to idle
  // workers (a NOTIFY wakes every engine on the database, and each then claims).
  if (accepted.size() > leasing_n) {
    if (auto r = announce_new_runs(c); !r) return std::move(r).error();
  }
  // Remember the accepted runs' keys. A key whose window passed is still in the table until
  // pruned: it now names the new run.
  std::vector<std::size_t> new_keys;
  for (std::size_t i : accepted) {
    if (!runs[i].dedupe_key.empty()) new_keys.push_back(i);
  }
  for (const auto part : in_statements(std::span<const std::size_t>(new_keys))) {
    // Fixed text, prepared once per session.
    parameters p;
    p.text_array(part, field(&new_run::tenant));
    p.text_array(part, field(&new_run::integration));
    p.text_array(part, field(&new_run::trigger));
    p.text_array(part, field(&new_run::dedupe_key));
    p.int64_array(part, [&](std::size_t i) { return out[i].run_id; });
    p.time(now);
    if (auto r = exec_prepared(
            c,
            "INSERT INTO dedupe_keys (tenant, integration, trigger_name, dedupe_key, run_id, "
            "seen_at) SELECT v.*, $6::bigint FROM unnest($1::text[], $2::text[], $3::text[], "
            "$4::text[], $5::bigint[]) AS v ON CONFLICT (tenant, integration, trigger_name, "
            "dedupe_key) DO UPDATE SET run_id = excluded.run_id, seen_at = excluded.seen_at",
            p);
        !r)
      return std::move(r).error();
  }
  return out;
}

inline result<void> postgres_store::renew_lease(claimed_run& run, std::chrono::milliseconds lease) {
  if (lease <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_input, "renew lease: the lease must be positive");
  }
  time_point until{};
  auto r = write(commit_kind::progress, [&](connection& c) -> result<void> {
    const time_point now = now_();
    until = now + lease;
    parameters p;
    p.time(until);
    p.time(now);
    p.int64(run.id);
    p.text(run.lease_token);
    auto u = exec(c,
                  "UPDATE runs SET due_at = $1::bigint, updated_at = $2::bigint "
                  "WHERE id = $3::bigint AND lease_token = $4",
                  p);
    if (!u) return std::move(u).error();
    if (postgres::affected_rows(*u) == 1) return {};
    parameters q;
    q.int64(run.id);
    auto s = exec(c, "SELECT status FROM runs WHERE id = $1::bigint", q);
    if (!s) return std::move(s).error();
    if (postgres::row_count(*s) == 0) return detail::no_such_run(run.id);
    return detail::lease_lost(run.id, postgres::text_at(*s, 0, 0), "renew its lease");
  });
  if (r) run.lease_until = until;
  return r;
}

inline result<void> postgres_store::complete(const claimed_run& run, run_status final_status,
                                             std::string_view error) {
  if (auto v = detail::check_run_end(run.id, final_status, false); !v) return v;
  const run_completion done{&run, final_status, std::string(error), {}};
  auto answers =
      write(commit_kind::progress, [&](connection& c) { return end_runs(c, std::span(&done, 1)); });
  if (!answers) return std::move(answers).error();
  return std::move(answers->front());
}

inline result<void> postgres_store::retry_later(const claimed_run& run, time_point when,
                                                std::string_view error) {
  const auto done = run_completion::retried(run, when, std::string(error));
  auto answers =
      write(commit_kind::progress, [&](connection& c) { return end_runs(c, std::span(&done, 1)); });
  if (!answers) return std::move(answers).error();
  return std::move(answers->front());
}

inline result<std::vector<result<void>>> postgres_store::finish_many(
    std::span<const run_completion> runs, std::span<const block_event_record> events) {
  if (runs.empty() && events.empty()) return std::vector<result<void>>{};
  return write(commit_kind::progress, [&](connection& c) -> result<std::vector<result<void>>> {
    if (auto r = insert_run_log(c, events); !r) return std::move(r).error();
    return end_runs(c, runs);
  });
}

inline result<std::vector<result<void>>> postgres_store::end_runs(
    connection& c, std::span<const run_completion> runs) {
  using namespace postgres_store_detail;
  std::vector<result<void>> answers(runs.size());
  std::vector<std::size_t> sent;    // in the UPDATE
  std::vector<std::size_t> repeat;  // a run already ended earlier in this batch
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& done = runs[i];
    if (!done.run) {
      answers[i] = make_error(errc::invalid_input, "finish_many: a completion without run");
    } else if (auto v = detail::check_run_end(done.run->id, done.status, true); !v) {
      answers[i] = std::move(v);
    } else if (!ids.insert(done.run->id).second) {
      repeat.push_back(i);
    } else {
      sent.push_back(i);
    }
  }
  // Several chunks are several UPDATEs: lock every counter they may change first, in order. One
  // UPDATE needs no such round trip: its trigger locks the counters it changes in that order.
  const auto parts = in_statements(std::span<const std::size_t>(sent));
  if (parts.size() > 1) {
    if (auto r = c.exec(lock_end_counts); !r) return std::move(r).error();
  }
  const time_point now = now_();
  std::set<std::int64_t> ended;
  for (const auto part : parts) {
    // Fixed text, prepared once per session: the ends are five arrays. A retry_at is read only
    // for retry_wait; the others send 0.
    auto end_of = [&](std::size_t i) -> const run_completion& { return runs[i]; };
    parameters p;
    p.int64_array(part, [&](std::size_t i) { return end_of(i).run->id; });
    p.text_array(part,
                 [&](std::size_t i) -> std::string_view { return end_of(i).run->lease_token; });
    p.text_array(part, [&](std::size_t i) { return to_string(end_of(i).status); });
    p.int64_array(part, [&](std::size_t i) -> std::int64_t {
      const auto& done = end_of(i);
      return done.status == run_status::retry_wait ? parameters::nanoseconds(done.retry_at) : 0;
    });
    p.readable_text_array(part, [&](std::size_t i) -> std::string_view { return end_of(i).error; });
    p.time(now);
    // Any failure fails the whole call: PostgreSQL aborts the transaction at a failed statement.
    auto r = exec_prepared(
        c,
        "UPDATE runs r SET status = v.status, "
        "due_at = CASE WHEN v.status = 'retry_wait' THEN v.retry_at END, lease_token = NULL, "
        "last_error = v.error, "
        "finished_at = CASE WHEN v.status = 'retry_wait' THEN r.finished_at ELSE $6::bigint END, "
        "updated_at = $6::bigint "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[]) "
        "AS v(id, token, status, retry_at, error) "
        // The ids again as an array: the planner then reaches the runs by their key for any
        // batch size, also in the plan prepared for every batch (a join alone may scan).
        "WHERE r.id = ANY ($1::bigint[]) AND r.id = v.id AND r.lease_token = v.token "
        "RETURNING r.id",
        p);
    if (!r) return std::move(r).error();
    for (int row = 0; row < row_count(*r); ++row) ended.insert(int64_at(*r, row, 0));
  }
  // Tell a stale lease (conflict) from a run that does not exist (not_found).
  std::vector<std::int64_t> unmatched;
  for (std::size_t i : sent) {
    if (ended.contains(runs[i].run->id)) {
      answers[i] = {};
    } else if (answers[i]) {
      unmatched.push_back(runs[i].run->id);
    }
  }
  for (std::size_t i : repeat) unmatched.push_back(runs[i].run->id);
  if (unmatched.empty()) return answers;
  parameters p;
  p.int64_array(unmatched);
  auto status = exec(c, "SELECT id, status FROM runs WHERE id = ANY ($1::bigint[])", p);
  if (!status) return std::move(status).error();
  std::map<std::int64_t, std::string> status_of;
  for (int row = 0; row < row_count(*status); ++row) {
    status_of.emplace(int64_at(*status, row, 0), string_at(*status, row, 1));
  }
  auto refuse = [&](std::size_t i) {
    const auto& done = runs[i];
    auto it = status_of.find(done.run->id);
    answers[i] =
        it == status_of.end()
            ? result<void>(detail::no_such_run(done.run->id))
            : result<void>(detail::lease_lost(
                  done.run->id, it->second,
                  done.status == run_status::retry_wait ? "schedule a retry" : "complete it"));
  };
  for (std::size_t i : sent) {
    if (!ended.contains(runs[i].run->id) && answers[i]) refuse(i);
  }
  for (std::size_t i : repeat) refuse(i);
  return answers;
}

}  // namespace syncline::store

#include <syncline/store/detail/postgres_store_records.hpp>
