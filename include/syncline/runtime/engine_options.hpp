// How an engine runs: threads, database, HTTP listener, concurrency, leases, retries, retention,
// schedules, logging. Every member has a default, so a call site names only what it changes:
//
//   syncline::engine eng({.threads = 2, .database = "syncline.db", .listen = {"127.0.0.1", 0}});
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/crypto/keyring.hpp>
#include <syncline/http/client_options.hpp>
#include <syncline/http/server_options.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/runtime/schedule_ticks.hpp>
#include <syncline/store/group_commit.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace syncline {

// Where the engine's HTTP server listens (webhooks, app events, /metrics, /healthz). An empty
// address runs no server: triggers then come only from emit(), polls, schedules and manual runs.
struct listen_address {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (engine::port() tells which)
};

struct engine_options {
  // Threads running the io_context: HTTP server, run coroutines, polls and schedules. Store
  // calls of the executor run on one more thread of their own, so an fsync never stalls HTTP.
  std::size_t threads = 2;
  std::filesystem::path database = "syncline.db";
  listen_address listen{};

  // --- executor -------------------------------------------------------------------------------
  // Runs executed at once (each a coroutine; blocks that wait on I/O do not hold a thread). A
  // run whose workflow has answered and that only waits for its end to be committed holds no
  // worker; at most 3 x `workers` runs wait so at once. A claim takes at most the free workers, so
  // this also sizes claims: with 16, durable webhook ingest at 32 connections claimed about 11
  // runs a transaction and the acknowledgements' p99 was 15-18 ms; with 64, claims of 28-29 runs
  // and a p99 of 7-10 ms (docs/perf/runtime.md, "Workers size the claims").
  std::size_t workers = 64;
  // Most runs leased by one claim (one store transaction).
  std::size_t claim_batch = 32;
  // Runs queued here while workers are idle and no due run waits (the last claim came back
  // short) are leased in the transaction that queues them and start at once, without a claim
  // (store::enqueue_and_lease): fewer store transactions and thread hops per run
  // (docs/perf/runtime.md, "Runs leased as they are queued"). Under a backlog, runs wait for
  // claims, which take them fairly across tenants. False: every run waits for a claim.
  bool lease_on_enqueue = true;
  // How long a finished run's end may wait to be committed with the ends of the runs still
  // working, so that one store transaction ends many (in runs/engine_5_blocks 3-4 runs per
  // transaction without it, 10-14 with it, and about 7% less CPU per run: docs/perf/runtime.md).
  // The wait stops as soon as no run is working, so an idle engine commits each end at once. Its
  // worker is free meanwhile. Zero: commit whenever the store thread is free.
  std::chrono::microseconds completion_delay{500};
  // A claimed run is leased for this long and renewed once a third of it has passed while it
  // runs (the engine looks every sixth of it, so before half of it is used). After a crash the
  // run is claimed again: at once when its process is provably gone (an engine of the same host
  // finds its lock free, see store::claim), otherwise once its lease expired.
  std::chrono::milliseconds lease{30'000};
  // An idle executor looks for due runs at least this often, even when nothing rang: runs queued
  // by another process on the same database, retries whose time came, expired leases.
  std::chrono::milliseconds idle_poll{1'000};
  // The policy of blocks that declare none (a block's `static constexpr retry_policy retry`).
  retry_policy retry{};
  // stop(): how long in-flight runs may take to finish before they are abandoned (a later
  // engine runs them again: at once on this host once this engine is destroyed, else when their
  // leases expire).
  std::chrono::milliseconds stop_timeout{10'000};

  // --- durability and backpressure ------------------------------------------------------------
  // The store: dedupe_window, echo_window, max_unfinished_runs (the backpressure bound: past
  // it, webhooks get 503 + Retry-After and emit() answers errc::unavailable), clock, fsync levels.
  store::sqlite_store_options store{};
  // Another store than the SQLite file `database`: when set, the engine runs on the store this
  // returns (a store::postgres_store, for several engine processes on one PostgreSQL database),
  // called once by the constructor; a failure is kept and returned by every call, as a file
  // that does not open is. `store.clock` stays the engine's clock: give that store the same one.
  std::function<result<std::unique_ptr<store::store>>()> open_store{};
  // Grouped commits of incoming events: max_batch per transaction, max_pending waiting at once.
  store::group_commit_options commit{};
  // The Retry-After (seconds) of a 503 sent when the queue is full.
  std::chrono::seconds retry_after{5};

  // --- retention ------------------------------------------------------------------------------
  // Finished runs (and their block events) are kept this long; expired dedupe keys and echo
  // records are removed by the same periodic prune.
  std::chrono::system_clock::duration keep_finished = std::chrono::hours(24 * 7);
  std::chrono::milliseconds prune_interval{10 * 60 * 1000};

  // --- engines sharing one database ------------------------------------------------------------
  // Polls and schedules run in the one engine that holds the store's "sources" role, pruning in
  // the one that holds "prune" (store::lead). Each engine asks for both this often: the longest
  // a role stays without a holder after its holder died (a dead holder's role is free at once;
  // a live one keeps it).
  std::chrono::milliseconds leader_check{1'000};

  // --- schedules and polls --------------------------------------------------------------------
  missed_ticks missed = missed_ticks::run_once;
  std::size_t max_missed_ticks = 1000;  // bound of missed_ticks::run_all
  // A tick at most this late counts as on time (missed_ticks::skip still runs it).
  std::chrono::milliseconds tick_grace{30'000};
  // Pages one poll may fetch in a row (page.more) before it waits for its next tick.
  std::size_t max_pages_per_poll = 100;

  // --- credentials at rest --------------------------------------------------------------------
  // When set, install() keeps each tenant's credentials in the store sealed with the keyring's
  // current key (AES-256-GCM, runtime/sealed_credentials.hpp), and restore() installs them again
  // at the next start; uninstall deletes them. Unset, credentials stay in memory only.
  std::shared_ptr<const crypto::keyring> keyring{};

  // --- app events over HTTP -------------------------------------------------------------------
  // POST /events/{event} is served only when set: requests are signed like the data stream
  // (X-Syncline-Timestamp, X-Syncline-Signature: v1=hex HMAC-SHA256 of timestamp + "." + body).
  secret event_signing_secret{};
  std::chrono::seconds event_tolerance{300};

  // --- HTTP -----------------------------------------------------------------------------------
  http::server_options server{};
  http::client_options client{};  // the client handed to runs (ctx.service<http::client>())

  // --- logging --------------------------------------------------------------------------------
  log_level level = log_level::info;
  log_sink log{};  // empty: one line per event on stderr
};

}  // namespace syncline
