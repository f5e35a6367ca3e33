// The engine's machinery behind syncline::engine's facade, as the composition root of its parts,
// each owning its state and its locks, on floors with no circle:
//
//                    leadership                      which roles this engine holds (store::lead):
//                      |                             starts the sources, lets the executor prune
//   ingress (HTTP)   sources (polls, schedules)      submit events through the intake
//            \         /
//             intake                                 events -> durable runs; wakes the executor
//               |            executor                claims, runs, retries, completes, prunes
//               |           /
//   registry    engine_context                       installations; options, log, store, threads
//
// Not templated on any integration: everything typed (runners, installations) reaches it through
// the type-erased detail::runner and detail::installation that engine's templates build in the
// user's translation unit. Included only by runtime/impl/engine.ipp, so a separately compiled
// build parses it, and its parts, once. See docs/architecture.md.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/executor.hpp>
#include <syncline/runtime/detail/ingress.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/intake.hpp>
#include <syncline/runtime/detail/integration_spec.hpp>
#include <syncline/runtime/detail/leadership.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/sources.hpp>
#include <syncline/runtime/emit_receipt.hpp>
#include <syncline/runtime/engine_options.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace syncline::detail {

class engine_core {
 public:
  // Opens (or creates) the database. A failure to open is kept and returned by every call
  // (install, start, emit, ...), so the constructor itself cannot fail.
  explicit engine_core(engine_options options)
      : ctx_(std::move(options)),
        executor_(ctx_, registry_),
        intake_(ctx_, registry_, executor_.bell(),
                ctx_.opts().lease_on_enqueue ? executor_.lease_taker() : store::lease_taker{}),
        sources_(ctx_, registry_, intake_),
        leadership_(ctx_, sources_, executor_),
        ingress_(ctx_, registry_, intake_,
                 {.uninstall =
                      [this](std::string_view integration, std::string_view tenant) {
                        return uninstall(integration, tenant);
                      },
                  .metrics_text = [this] { return metrics_text(); }}) {
    // One writer (SQLite): a run's end joins the transaction of the runs queued next, rather
    // than taking the writer for a transaction of its own. A store whose writes proceed at once
    // (PostgreSQL) keeps the ends on their own thread and sessions, beside the enqueues.
    if (ctx_.store() && !ctx_.store()->concurrent_writes())
      executor_.write_ends_through(intake_.group_commit());
  }

  engine_core(const engine_core&) = delete;
  engine_core& operator=(const engine_core&) = delete;

  ~engine_core() {
    stop();
    ctx_.join_store_thread();
    ingress_.close();
    intake_.close();
  }

  // --- installations ------------------------------------------------------------------------

  // Activates the integration of `spec` for the tenant of `inst` (again: replaces it). The
  // facade's install() has checked the types and built `inst` with the typed credentials.
  // `sealed_credentials`: what the installation row keeps of the credentials ("" = nothing);
  // nullopt when the row is in the store already (engine::restore).
  result<void> install(const integration_spec& spec, std::shared_ptr<installation> inst,
                       std::vector<std::string> secrets, std::string settings,
                       std::optional<std::string> sealed_credentials) {
    if (ctx_.broken()) return *ctx_.broken();
    if (inst->tenant.empty())
      return make_error(errc::invalid_input, "install: the tenant id is empty");
    const std::string name(spec.name);
    const std::string& key = inst->tenant_key;
    if (key.empty()) {
      return make_error(errc::invalid_input,
                        "install: tenant \"" + inst->tenant + "\" has an empty tenant_key()");
    }
    store::installation_record record{.integration = name,
                                      .id = inst->tenant,
                                      .credentials = secret{sealed_credentials.value_or("")},
                                      .settings = std::move(settings)};
    if (auto added = registry_.add(spec, inst, ctx_.metrics(), ctx_.opts().retry); !added)
      return added;
    ctx_.secrets().set(name + "/" + inst->tenant, std::move(secrets));
    sources_.cancel(name, inst->tenant, inst.get());
    if (!sealed_credentials) {
      // restored from its row: nothing to write
    } else if (auto r = ctx_.store()->put_installation(record); !r) {
      ctx_.log(log_level::warn, "installation not recorded in the store",
               {{"integration", name}, {"tenant", inst->tenant}, {"error", to_string(r.error())}});
      // Credentials that were to be kept and are not would be missing at the next start: the
      // caller must know (the tenant is installed in this engine meanwhile; install again).
      if (!record.credentials.empty()) return std::move(r).error();
    }
    ctx_.log(log_level::info, "installed", {{"integration", name}, {"tenant", inst->tenant}});
    if (state_.load() == running) sources_.start(inst);
    return {};
  }

  // Stops an installation: its webhooks, events, polls and schedules are refused from now on.
  // Runs already queued still run with its credentials while this engine lives. Uninstalling a
  // tenant that is not installed succeeds (app/uninstalled may be delivered twice).
  result<void> uninstall(std::string_view integration, std::string_view tenant_id) {
    if (ctx_.broken()) return *ctx_.broken();
    const bool found = registry_.retire(integration, tenant_id);
    sources_.cancel(integration, tenant_id, nullptr);
    auto r = ctx_.store()->remove_installation(integration, tenant_id);
    if (found) {
      ctx_.log(log_level::info, "uninstalled",
               {{"integration", integration}, {"tenant", tenant_id}});
    }
    return r;
  }

  // The secrets of a service (`owner` names it: one watch however many installations share it),
  // asked again before each redaction until stop().
  void add_secret_source(const std::string& owner, std::function<std::vector<secret>()> current) {
    ctx_.secrets().watch("service/" + owner, std::move(current));
  }

  result<void> route(http::verb method, std::string pattern, http::handler h) {
    if (state_.load() != created)
      return make_error(errc::invalid_input, "route: add routes before start()");
    ingress_.add_route(method, std::move(pattern), std::move(h));
    return {};
  }

  void log(log_level level, std::string_view message, std::initializer_list<log_field> fields) {
    ctx_.log(level, message, fields);
  }

  // --- life cycle ---------------------------------------------------------------------------

  // Starts the HTTP server (when listen.address is set), the executor, polls, schedules and the
  // periodic prune. Once only: an engine that stopped does not start again.
  result<void> start() {
    if (ctx_.broken()) return *ctx_.broken();
    int expected = created;
    if (!state_.compare_exchange_strong(expected, running)) {
      return make_error(errc::invalid_input, expected == running
                                                 ? "start: the engine is already running"
                                                 : "start: a stopped engine cannot start again");
    }
    const auto& opts = ctx_.opts();
    if (!opts.listen.address.empty()) {
      if (auto r = ingress_.listen(); !r) {
        state_ = stopped;
        return r;
      }
    }
    executor_.start();
    leadership_.start();  // the sources start here if this engine holds their role
    const std::string url = ingress_.url();
    ctx_.log(log_level::info, "engine started",
             {{"database", opts.database.string()},
              {"url", url.empty() ? std::string("-") : url},
              {"threads", opts.threads},
              {"workers", opts.workers}});
    return {};
  }

  // Graceful stop, callable more than once: no new events (the server stops accepting, polls
  // and schedules stop), in-flight runs get up to stop_timeout to finish, waiting submits are
  // committed. A run still running after that is abandoned: its lease expires and a later
  // engine on the same database runs it again.
  void stop() {
    int expected = running;
    if (!state_.compare_exchange_strong(expected, stopping)) {
      if (expected == created) {
        state_ = stopped;
        ctx_.secrets().freeze();
      }
      return;
    }
    executor_.begin_stop();
    ingress_.stop();
    sources_.stop();
    const auto deadline = std::chrono::steady_clock::now() + ctx_.opts().stop_timeout;
    // A page fetched before the stop is committed first: the next holder of the sources role
    // then starts from the cursor this engine left, not from one it is still about to move.
    if (!sources_.wait_ended(deadline)) {
      ctx_.log(log_level::warn,
               "a poll or schedule did not end in stop_timeout; its cursor "
               "write is fenced if it comes late",
               {});
    }
    leadership_.stop();
    const auto abandoned = executor_.wait_idle(deadline);
    executor_.close();
    intake_.stop();
    ingress_.drain();
    ctx_.io().stop();
    sources_.release();
    ctx_.secrets().freeze();  // the services may go now; what they said last stays scrubbed
    state_ = stopped;
    ctx_.log(log_level::info, "engine stopped", {{"abandoned_runs", abandoned}});
  }

  // --- trigger events -------------------------------------------------------------------------

  // An event (app event or manual run) made into runs and queued; returns once they are durable.
  result<emit_receipt> submit_event(trigger_kind kind, std::string_view tenant_id,
                                    std::string_view name, const void* type,
                                    std::string_view type_label, std::string payload,
                                    std::string_view dedupe_key, bool check_json) {
    return intake_.submit_event(kind, tenant_id, name, type, type_label, std::move(payload),
                                dedupe_key, check_json);
  }

  boost::asio::awaitable<result<emit_receipt>> async_submit_event(
      trigger_kind kind, std::string tenant_id, std::string name, const void* type,
      std::string type_label, std::string payload, std::string dedupe_key, bool check_json) {
    return intake_.async_submit_event(kind, std::move(tenant_id), std::move(name), type,
                                      std::move(type_label), std::move(payload),
                                      std::move(dedupe_key), check_json);
  }

  // --- run log, dead letters, replay --------------------------------------------------------

  result<std::vector<store::run_record>> runs(const store::run_query& query = {}) {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->query_runs(query);
  }
  result<store::run_record> run(std::int64_t run_id) {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->get_run(run_id);
  }
  result<std::vector<store::block_event_record>> block_events(std::int64_t run_id) {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->block_events(run_id);
  }
  result<std::vector<store::run_record>> dead_letters(const store::run_filter& filter = {},
                                                      std::size_t limit = 100) {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->dead_letters(filter, limit);
  }
  // Queues a dead run again, with a fresh set of attempts and the same idempotency key.
  result<void> replay(std::int64_t run_id) {
    if (ctx_.broken()) return *ctx_.broken();
    auto r = ctx_.store()->replay(run_id);
    if (r) {
      ctx_.log(log_level::info, "run replayed", {{"run", run_id}});
      executor_.bell().ring();
    }
    return r;
  }
  result<std::int64_t> replay_all(const store::run_filter& filter = {}) {
    if (ctx_.broken()) return *ctx_.broken();
    auto r = ctx_.store()->replay_all(filter);
    if (r) {
      ctx_.log(log_level::info, "dead runs replayed", {{"runs", *r}});
      executor_.bell().ring();
    }
    return r;
  }
  result<store::run_counts> counts() {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->counts();
  }
  // Applies retention now (it also runs every prune_interval).
  result<store::prune_result> prune() {
    if (ctx_.broken()) return *ctx_.broken();
    return ctx_.store()->prune(ctx_.opts().keep_finished);
  }

  // --- introspection ------------------------------------------------------------------------

  std::uint16_t port() const noexcept { return ingress_.port(); }
  std::string url() const { return ingress_.url(); }
  // The Prometheus text served at GET /metrics.
  std::string metrics_text() {
    store::run_counts c;
    if (auto* s = ctx_.store()) {
      if (auto r = s->counts()) c = *r;
    }
    const auto* commit = intake_.group_commit();
    return ctx_.metrics().render(c, executor_.in_flight(), commit ? commit->pending() : 0);
  }
  const engine_metrics& metrics() const noexcept { return ctx_.metrics(); }

  // True once nothing is on its way to the queue, queued (or waiting for a retry) or running,
  // seen kLook times in a row; false when `timeout` passes first. Several looks, because the
  // three counts are read one after another: a run that queues a follow-up as it ends could
  // otherwise fall between two reads.
  bool wait_until_quiet(std::chrono::milliseconds timeout) {
    constexpr int kLooks = 3;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int quiet_looks = 0;
    for (;;) {
      quiet_looks = looks_quiet() ? quiet_looks + 1 : 0;
      if (quiet_looks >= kLooks) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // The durable store, for tools and tests. Null when the database could not be opened.
  store::store* durable_store() noexcept { return ctx_.store(); }
  boost::asio::any_io_executor executor() noexcept { return ctx_.io().executor(); }
  const engine_options& options() const noexcept { return ctx_.opts(); }

 private:
  enum state_t { created, running, stopping, stopped };

  bool looks_quiet() {
    if (intake_.busy() || executor_.in_flight() != 0) return false;
    auto* s = ctx_.store();
    if (!s) return true;  // the database never opened: nothing was ever queued
    auto c = s->counts();
    return c && c->unfinished() == 0;
  }

  // --- members: the floors, built bottom up and destroyed top down (order matters)
  //
  // The registry comes first so that it outlives the io_context (in ctx_): a run abandoned at
  // stop is destroyed with the io_context and still holds its runner. Every part comes after
  // ctx_, so its timers and strands go before the io_context does; what an abandoned coroutine
  // still touches when it is destroyed (the intake's and the executor's counts) the parts share
  // with it. The store thread is joined (~engine_core) before the server and the group commit
  // go, and they go before the store closes.

  registry registry_;
  engine_context ctx_;
  detail::executor executor_;
  intake intake_;
  sources sources_;
  leadership leadership_;
  ingress ingress_;
  std::atomic<int> state_{created};
};

}  // namespace syncline::detail
