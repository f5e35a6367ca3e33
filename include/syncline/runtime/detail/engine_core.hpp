// The engine's machinery behind syncline::engine's facade: the registry of integrations and
// installations, the ingress of emits, webhooks and app events, the executor of runs, the sources
// (polls, schedules), the store plumbing, the HTTP routes, logs and metrics. Not templated on any
// integration: everything typed (runners, installations) reaches it through the type-erased
// detail::runner and detail::installation that engine's templates build in the user's translation
// unit. Included only by runtime/impl/engine.ipp, so a separately compiled build parses it once.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/config.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/run_outcome.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/type_name.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/dedupe_key.hpp>
#include <syncline/runtime/detail/doorbell.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/integration_spec.hpp>
#include <syncline/runtime/detail/offload.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/run_recorder.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/detail/store_echo_memory.hpp>
#include <syncline/runtime/emit_outcome.hpp>
#include <syncline/runtime/engine_options.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/runtime/schedule_ticks.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/store/group_commit.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <vector>

namespace syncline::detail {

class engine_core {
 public:
  // Opens (or creates) the database. A failure to open is kept and returned by every call
  // (install, start, emit, ...), so the constructor itself cannot fail.
  explicit engine_core(engine_options options)
      : opts_(sanitized(std::move(options))),
        io_(opts_.threads, [this](std::exception_ptr e) { on_io_exception(e); }),
        dispatch_strand_(boost::asio::make_strand(io_.context())),
        doorbell_(dispatch_strand_),
        prune_timer_(dispatch_strand_) {
    // The store adds which process holds a lease ("engine@host/pid/instance"), and holds the
    // lock that lets another process prove this one gone and take over its runs at once.
    worker_id_ = "engine";
    auto opened = store::sqlite_store::open(opts_.database, opts_.store);
    if (!opened) {
      broken_ = std::move(opened).error();
      log(log_level::error, "engine cannot open its database",
          {{"database", opts_.database.string()}, {"error", to_string(*broken_)}});
      return;
    }
    store_ = std::move(*opened);
    commit_ = std::make_unique<store::group_commit>(*store_, opts_.commit);
    echo_ = std::make_unique<detail::store_echo_memory>(*store_, store_pool_);
    client_ = std::make_unique<http::client>(io_.executor(), opts_.client);
    redactor_.set("engine",
                  opts_.event_signing_secret.empty()
                      ? std::vector<std::string>{}
                      : std::vector<std::string>{std::string(opts_.event_signing_secret.reveal())});
  }

  engine_core(const engine_core&) = delete;
  engine_core& operator=(const engine_core&) = delete;

  ~engine_core() {
    stop();
    store_pool_.join();
    server_.reset();
    client_.reset();
    commit_.reset();
  }

  // --- installations ------------------------------------------------------------------------

  // Activates the integration of `spec` for the tenant of `inst` (again: replaces it). The
  // facade's install() has checked the types and built `inst` with the typed credentials.
  result<void> install(const integration_spec& spec, std::shared_ptr<installation> inst,
                       std::vector<std::string> secrets, std::string settings) {
    if (broken_) return *broken_;
    if (inst->tenant.empty())
      return make_error(errc::invalid_input, "install: the tenant id is empty");
    const std::string name(spec.name);
    const std::string& key = inst->tenant_key;
    if (key.empty()) {
      return make_error(errc::invalid_input,
                        "install: tenant \"" + inst->tenant + "\" has an empty tenant_key()");
    }
    store::tenant record{.integration = name,
                         .id = inst->tenant,
                         .credentials = {},
                         .settings = std::move(settings)};
    if (auto added = registry_.add(spec, inst, metrics_, opts_.retry); !added) return added;
    redactor_.set(name + "/" + inst->tenant, std::move(secrets));
    cancel_sources(name, inst->tenant, inst.get());
    if (auto r = store_->put_tenant(record); !r) {
      log(log_level::warn, "installation not recorded in the store",
          {{"integration", name}, {"tenant", inst->tenant}, {"error", to_string(r.error())}});
    }
    log(log_level::info, "installed", {{"integration", name}, {"tenant", inst->tenant}});
    if (state_.load() == running) start_sources(inst);
    return {};
  }

  // Stops an installation: its webhooks, events, polls and schedules are refused from now on.
  // Runs already queued still run with its credentials while this engine lives. Uninstalling a
  // tenant that is not installed succeeds (app/uninstalled may be delivered twice).
  result<void> uninstall(std::string_view integration, std::string_view tenant_id) {
    if (broken_) return *broken_;
    const bool found = registry_.retire(integration, tenant_id);
    cancel_sources(integration, tenant_id, nullptr);
    auto r = store_->remove_tenant(integration, tenant_id);
    if (found) {
      log(log_level::info, "uninstalled", {{"integration", integration}, {"tenant", tenant_id}});
    }
    return r;
  }

  void add_service(std::function<void(run_context&)> provide) {
    services_.push_back(std::move(provide));
  }

  // The secrets of a service (`owner` names it: one watch however many installations share it),
  // asked again before each redaction until stop().
  void add_secret_source(const std::string& owner, std::function<std::vector<secret>()> current) {
    redactor_.watch("service/" + owner, std::move(current));
  }

  // --- life cycle ---------------------------------------------------------------------------

  // Starts the HTTP server (when listen.address is set), the executor, polls, schedules and the
  // periodic prune. Once only: an engine that stopped does not start again.
  result<void> start() {
    if (broken_) return *broken_;
    int expected = created;
    if (!state_.compare_exchange_strong(expected, running)) {
      return make_error(errc::invalid_input, expected == running
                                                 ? "start: the engine is already running"
                                                 : "start: a stopped engine cannot start again");
    }
    if (!opts_.listen.address.empty()) {
      server_ = std::make_unique<http::server>(io_.executor(), opts_.server);
      add_routes();
      if (auto r = server_->listen(opts_.listen.address, opts_.listen.port); !r) {
        log(log_level::error, "engine cannot listen",
            {{"address", opts_.listen.address}, {"error", to_string(r.error())}});
        server_.reset();
        state_ = stopped;
        return r;
      }
    }
    {
      std::lock_guard lock(stop_mu_);
      dispatching_ = true;
    }
    boost::asio::co_spawn(dispatch_strand_, dispatch(), boost::asio::detached);
    boost::asio::co_spawn(dispatch_strand_, prune_loop(), boost::asio::detached);
    const auto installed = registry_.installations();
    for (const auto& inst : installed) start_sources(inst);
    log(log_level::info, "engine started",
        {{"database", opts_.database.string()},
         {"url", server_ ? server_->url() : std::string("-")},
         {"threads", opts_.threads},
         {"workers", opts_.workers}});
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
        redactor_.freeze();
      }
      return;
    }
    stopping_ = true;
    if (server_) server_->stop();
    cancel_sources({}, {}, nullptr);
    doorbell_.ring();
    boost::asio::post(dispatch_strand_, [this] { prune_timer_.cancel(); });
    const auto deadline = std::chrono::steady_clock::now() + opts_.stop_timeout;
    {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_until(lock, deadline, [&] { return in_flight_.load() == 0 && !dispatching_; });
    }
    const auto abandoned = in_flight_.load();
    if (commit_) commit_->stop();
    // Requests already received get their answers (the group commit just answered them).
    for (int i = 0; i < 100 && server_ && server_->connections() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    io_.stop();
    {
      std::lock_guard lock(sources_mu_);
      sources_.clear();
    }
    redactor_.freeze();  // the services may go now; what they said last stays scrubbed
    state_ = stopped;
    log(log_level::info, "engine stopped", {{"abandoned_runs", abandoned}});
  }

  // --- trigger events -------------------------------------------------------------------------

  // An event (app event or manual run) made into runs and queued; returns once they are durable.
  result<emit_outcome> submit_event(trigger_kind kind, std::string_view tenant_id,
                                    std::string_view name, const void* type,
                                    std::string_view type_label, std::string payload,
                                    std::string_view dedupe_key, bool check_json) {
    intake_guard intake(intake_);
    if (auto ok = check_dedupe_key(dedupe_key, "emit_options::dedupe_key"); !ok)
      return std::move(ok).error();
    auto planned =
        plan(kind, tenant_id, name, type, type_label, std::move(payload), dedupe_key, check_json);
    if (!planned) return std::move(planned).error();
    return submit_blocking(std::move(*planned));
  }

  boost::asio::awaitable<result<emit_outcome>> async_submit_event(
      trigger_kind kind, std::string tenant_id, std::string name, const void* type,
      std::string type_label, std::string payload, std::string dedupe_key, bool check_json) {
    intake_guard intake(intake_);
    if (auto ok = check_dedupe_key(dedupe_key, "emit_options::dedupe_key"); !ok)
      co_return std::move(ok).error();
    auto planned =
        plan(kind, tenant_id, name, type, type_label, std::move(payload), dedupe_key, check_json);
    if (!planned) co_return std::move(planned).error();
    co_return co_await submit_async(std::move(*planned));
  }

  // --- run log, dead letters, replay --------------------------------------------------------

  result<std::vector<store::run_record>> runs(const store::run_query& query = {}) {
    if (broken_) return *broken_;
    return store_->query_runs(query);
  }
  result<store::run_record> run(std::int64_t run_id) {
    if (broken_) return *broken_;
    return store_->get_run(run_id);
  }
  result<std::vector<store::block_event>> block_events(std::int64_t run_id) {
    if (broken_) return *broken_;
    return store_->block_events(run_id);
  }
  result<std::vector<store::run_record>> dead_letters(const store::run_filter& filter = {},
                                                      std::size_t limit = 100) {
    if (broken_) return *broken_;
    return store_->dead_letters(filter, limit);
  }
  // Queues a dead run again, with a fresh set of attempts and the same idempotency key.
  result<void> replay(std::int64_t run_id) {
    if (broken_) return *broken_;
    auto r = store_->replay(run_id);
    if (r) {
      log(log_level::info, "run replayed", {{"run", run_id}});
      doorbell_.ring();
    }
    return r;
  }
  result<std::int64_t> replay_all(const store::run_filter& filter = {}) {
    if (broken_) return *broken_;
    auto r = store_->replay_all(filter);
    if (r) {
      log(log_level::info, "dead runs replayed", {{"runs", *r}});
      doorbell_.ring();
    }
    return r;
  }
  result<store::run_counts> counts() {
    if (broken_) return *broken_;
    return store_->counts();
  }
  // Applies retention now (it also runs every prune_interval).
  result<store::prune_result> prune() {
    if (broken_) return *broken_;
    return store_->prune(opts_.keep_finished);
  }

  // --- introspection ------------------------------------------------------------------------

  std::uint16_t port() const noexcept { return server_ ? server_->port() : 0; }
  std::string url() const { return server_ ? server_->url() : std::string(); }
  // The Prometheus text served at GET /metrics.
  std::string metrics_text() {
    store::run_counts c;
    if (store_) {
      if (auto r = store_->counts()) c = *r;
    }
    return metrics_.render(c, in_flight_.load());
  }
  const engine_metrics& metrics() const noexcept { return metrics_; }

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
  store::store* durable_store() noexcept { return store_.get(); }
  boost::asio::any_io_executor executor() noexcept { return io_.executor(); }
  const engine_options& options() const noexcept { return opts_; }

 private:
  enum state_t { created, running, stopping, stopped };

  // A poll or schedule of one installation.
  struct source_state {
    source_state(boost::asio::any_io_executor ex, std::shared_ptr<detail::installation> i,
                 const detail::runner* r)
        : timer(std::move(ex)), inst(std::move(i)), runner(r) {}
    boost::asio::steady_timer timer;
    std::shared_ptr<detail::installation> inst;
    const detail::runner* runner;
    std::atomic<bool> cancelled{false};
  };

  struct planned_run {
    const detail::runner* runner;
    store::new_run run;
  };

  // Counts an event from the moment the engine has it until its runs are committed or it is
  // refused, so that wait_until_quiet does not take an event on its way to the queue for quiet.
  class intake_guard {
   public:
    explicit intake_guard(std::atomic<std::int64_t>& n) : n_(n) { n_.fetch_add(1); }
    intake_guard(const intake_guard&) = delete;
    intake_guard& operator=(const intake_guard&) = delete;
    ~intake_guard() { n_.fetch_sub(1); }

   private:
    std::atomic<std::int64_t>& n_;
  };

  bool looks_quiet() {
    if (intake_.load() != 0 || in_flight_.load() != 0) return false;
    if (!store_) return true;  // the database never opened: nothing was ever queued
    auto c = store_->counts();
    return c && c->unfinished() == 0;
  }

  // --- small helpers ------------------------------------------------------------------------

  static engine_options sanitized(engine_options o) {
    o.threads = std::max<std::size_t>(o.threads, 1);
    o.workers = std::max<std::size_t>(o.workers, 1);
    o.claim_batch = std::max<std::size_t>(o.claim_batch, 1);
    if (o.lease < std::chrono::milliseconds(30)) o.lease = std::chrono::milliseconds(30);
    if (o.idle_poll < std::chrono::milliseconds(1)) o.idle_poll = std::chrono::milliseconds(1);
    if (!o.store.clock) o.store.clock = store::system_now;
    if (!o.log) o.log = stderr_sink;
    return o;
  }

  store::time_point now() const { return opts_.store.clock(); }

  void log(log_level level, std::string_view message, std::initializer_list<log_field> fields) {
    if (level < opts_.level || opts_.level == log_level::off) return;
    // Each value is scrubbed before the line quotes and escapes it, which would change a secret
    // holding a quote or a line break.
    std::vector<log_field> scrubbed(fields);
    for (auto& f : scrubbed) f.value = redactor_(std::move(f.value));
    opts_.log(level, format_log_line(std::chrono::system_clock::now(), level,
                                     redactor_(std::string(message)), scrubbed));
  }

  void on_io_exception(std::exception_ptr e) {
    std::string what = "unknown exception";
    try {
      if (e) std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    log(log_level::error, "exception escaped a handler", {{"error", what}});
  }

  template <class F>
  auto on_store(F f) {
    return detail::offload(store_pool_, std::move(f));
  }

  std::string redact(std::string text) const { return redactor_(std::move(text)); }

  static std::string scoped_key(std::string_view workflow, std::string_view key) {
    // Dedupe keys are scoped by (tenant, integration, trigger) in the store; two workflows of one
    // integration on the same trigger must each get their run, so the key names the workflow.
    if (key.empty()) return {};
    std::string k(workflow);
    k += '/';
    k += key;
    return k;
  }

  store::new_run make_run(const detail::runner& r, std::string_view tenant_id, std::string_view key,
                          std::string payload) const {
    return store::new_run{std::string(tenant_id),      std::string(r.integration),
                          std::string(r.workflow),     std::string(r.trigger),
                          scoped_key(r.workflow, key), std::move(payload)};
  }

  // The runs an event of `kind` named `name` makes for a tenant. `name` is the event (app
  // events) or the workflow, optionally "integration/workflow" (manual runs).
  result<std::vector<planned_run>> plan(trigger_kind kind, std::string_view tenant_id,
                                        std::string_view name, const void* type,
                                        std::string_view type_label, std::string payload,
                                        std::string_view dedupe_key, bool check_json) {
    if (broken_) return *broken_;
    if (tenant_id.empty()) return make_error(errc::invalid_input, "the tenant is empty");
    std::string_view only_integration;
    std::string_view target = name;
    if (kind == trigger_kind::manual) {
      if (auto slash = name.find('/'); slash != std::string_view::npos) {
        only_integration = name.substr(0, slash);
        target = name.substr(slash + 1);
      }
    }
    std::vector<planned_run> out;
    bool anyone_listens = false;
    auto refused = registry_.read(
        [&](const registry::entries& integrations) -> std::optional<::syncline::error> {
          for (const auto& [iname, entry] : integrations) {
            if (!only_integration.empty() && iname != only_integration) continue;
            for (const auto& r : entry.runners) {
              if (r->kind != kind) continue;
              if ((kind == trigger_kind::manual ? r->workflow : r->trigger) != target) continue;
              anyone_listens = true;
              auto t = entry.tenants.find(tenant_id);
              if (t == entry.tenants.end() || !t->second->active) continue;
              if (type && r->payload_type() != type) {
                return make_error(
                    errc::invalid_input,
                    std::string(kind == trigger_kind::manual ? "workflow \"" : "event \"") +
                        std::string(name) + "\" carries " + std::string(r->payload_type_name()) +
                        ", not " + std::string(type_label));
              }
              if (check_json) {
                if (auto ok = r->check_payload(payload); !ok) return std::move(ok).error();
              }
              out.push_back({r.get(), make_run(*r, tenant_id, dedupe_key, payload)});
            }
          }
          return std::nullopt;
        });
    if (refused) return *refused;
    if (!anyone_listens) {
      metrics_.rejected(rejection::not_found);
      return make_error(
          errc::not_found,
          kind == trigger_kind::manual
              ? "no installed workflow \"" + std::string(name) + "\" has a manual trigger"
              : "no installed workflow listens to event \"" + std::string(name) + "\"");
    }
    return out;
  }

  // Counts one answer of the queue and turns it into the caller's.
  result<emitted_run> account(const planned_run& p, result<store::enqueue_result> r) {
    if (!r) {
      metrics_.rejected(r.error().category == errc::unavailable ? rejection::queue_full
                                                                : rejection::storage);
      return std::move(r).error();
    }
    const bool dup = r->kind == store::enqueue_result::duplicate;
    if (dup)
      metrics_.duplicate(p.runner->kind);
    else
      metrics_.accepted(p.runner->kind);
    return emitted_run{std::string(p.runner->integration), std::string(p.runner->workflow),
                       r->run_id, dup};
  }

  result<emit_outcome> submit_blocking(std::vector<planned_run> planned) {
    // The answers are delivered on the store thread, which only fulfils the promise: not on an
    // io thread (emit may be called from one) nor on asio's system executor (whose threads do
    // not survive a fork, and which the engine does not own).
    std::vector<std::promise<result<store::enqueue_result>>> promises(planned.size());
    std::vector<std::future<result<store::enqueue_result>>> answers;
    answers.reserve(planned.size());
    for (std::size_t i = 0; i < planned.size(); ++i) {
      answers.push_back(promises[i].get_future());
      commit_->async_submit(
          planned[i].run,
          boost::asio::bind_executor(store_pool_.get_executor(),
                                     [promise = &promises[i]](result<store::enqueue_result> r) {
                                       promise->set_value(std::move(r));
                                     }));
    }
    emit_outcome out;
    std::optional<::syncline::error> first_error;
    for (std::size_t i = 0; i < planned.size(); ++i) {
      auto r = account(planned[i], answers[i].get());
      if (!r) {
        if (!first_error) first_error = std::move(r).error();
        continue;
      }
      out.runs.push_back(std::move(*r));
    }
    if (!out.runs.empty()) doorbell_.ring();
    if (first_error) return *first_error;
    return out;
  }

  boost::asio::awaitable<result<emit_outcome>> submit_async(std::vector<planned_run> planned) {
    emit_outcome out;
    std::optional<::syncline::error> first_error;
    for (auto& p : planned) {
      auto answer = co_await commit_->submit(p.run);
      auto r = account(p, std::move(answer));
      if (!r) {
        if (!first_error) first_error = std::move(r).error();
        continue;
      }
      out.runs.push_back(std::move(*r));
    }
    if (!out.runs.empty()) doorbell_.ring();
    if (first_error) co_return *first_error;
    co_return out;
  }

  // --- executor -----------------------------------------------------------------------------

  // The dispatcher: claims as many due runs as there are free workers (one transaction) and
  // starts each as its own coroutine. Sleeps until rung (an event queued, a run finished) or
  // until the next run is due, at most idle_poll.
  boost::asio::awaitable<void> dispatch() {
    while (!stopping_) {
      const auto busy = static_cast<std::size_t>(std::max<std::int64_t>(in_flight_.load(), 0));
      const std::size_t free = busy >= opts_.workers ? 0 : opts_.workers - busy;
      if (free == 0) {
        co_await doorbell_.wait(opts_.idle_poll);
        continue;
      }
      const std::size_t n = std::min(free, opts_.claim_batch);
      auto claimed =
          co_await on_store([this, n] { return store_->claim(worker_id_, n, opts_.lease); });
      if (!claimed) {
        metrics_.store_failed();
        log(log_level::error, "claim failed", {{"error", to_string(claimed.error())}});
        co_await doorbell_.wait(std::chrono::seconds(1));
        continue;
      }
      if (claimed->empty()) {
        auto due = co_await on_store([this] { return store_->next_due(); });
        auto wait =
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(opts_.idle_poll);
        if (due && *due) {
          const auto until =
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(**due - now());
          wait = std::clamp(
              until, std::chrono::steady_clock::duration(std::chrono::milliseconds(2)), wait);
        }
        co_await doorbell_.wait(wait);
        continue;
      }
      for (auto& run : *claimed) {
        in_flight_.fetch_add(1);
        boost::asio::co_spawn(boost::asio::make_strand(io_.context()), execute(std::move(run)),
                              boost::asio::detached);
      }
    }
    {
      std::lock_guard lock(stop_mu_);
      dispatching_ = false;
    }
    stop_cv_.notify_all();
  }

  // Counts a run out of flight on every path out of execute(), including the destruction of
  // its frame when the engine abandons it at stop.
  class flight_guard {
   public:
    explicit flight_guard(engine_core& e) : e_(e) {}
    flight_guard(const flight_guard&) = delete;
    flight_guard& operator=(const flight_guard&) = delete;
    ~flight_guard() {
      {
        std::lock_guard lock(e_.stop_mu_);
        e_.in_flight_.fetch_sub(1);
      }
      e_.stop_cv_.notify_all();
      if (!e_.stopping_) e_.doorbell_.ring();
    }

   private:
    engine_core& e_;
  };

  struct lease_keeper {
    explicit lease_keeper(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    boost::asio::steady_timer timer;
    bool done = false;  // set on the run's strand, where the keeper also runs
  };

  // Renews a running run's lease every third of it, so a long run is not claimed twice.
  boost::asio::awaitable<void> keep_lease(std::shared_ptr<lease_keeper> k,
                                          store::claimed_run lease) {
    while (!k->done) {
      k->timer.expires_after(opts_.lease / 3);
      boost::system::error_code ec;
      co_await k->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (k->done) co_return;
      // Calls with captures that have destructors are named first: g++ 12 mishandles such
      // temporaries inside a co_await expression.
      auto renew = [this, lease]() mutable { return store_->renew_lease(lease, opts_.lease); };
      auto r = co_await on_store(std::move(renew));
      if (!r) {
        log(log_level::warn, "lease renewal failed",
            {{"run", lease.id}, {"error", to_string(r.error())}});
        if (r.error().category == errc::conflict || r.error().category == errc::not_found)
          co_return;
      }
    }
  }

  boost::asio::awaitable<void> execute(store::claimed_run run) {
    flight_guard guard(*this);
    const detail::runner* r = registry_.find_runner(run.integration, run.workflow);
    auto inst = registry_.find_installation(run.integration, run.tenant);
    std::string refusal;
    if (!r) {
      refusal = "no workflow \"" + run.workflow + "\" of integration \"" + run.integration +
                "\" is installed in this engine";
    } else if (!inst) {
      refusal = "tenant \"" + run.tenant + "\" is not installed for integration \"" +
                run.integration + "\"; install it and replay the run";
    } else if (run.attempt > r->max_attempts()) {
      refusal = "claimed " + std::to_string(run.attempt) +
                " times without finishing (its process may have died while running it each "
                "time); dead-lettered as poison";
    }
    if (!refusal.empty()) {
      if (r) r->metrics.dead_lettered.add();
      log(log_level::error, "run dead-lettered",
          {{"run", run.id},
           {"tenant", run.tenant},
           {"integration", run.integration},
           {"workflow", run.workflow},
           {"error", refusal}});
      std::vector<store::block_event> none;
      co_await finish(run, store::run_status::dead, refusal, std::move(none));
      co_return;
    }
    r->metrics.started.add();
    const auto started = now();
    const auto ex = co_await boost::asio::this_coro::executor;
    auto keeper = std::make_shared<lease_keeper>(ex);
    boost::asio::co_spawn(ex, keep_lease(keeper, run), boost::asio::detached);

    run_context ctx(run_info{run.tenant, run.idempotency_key, run.integration, run.attempt});
    for (auto& provide_service : services_) provide_service(ctx);
    ctx.provide(*client_);
    ctx.provide(static_cast<store::store&>(*store_));
    ctx.provide(static_cast<echo_memory&>(*echo_));
    inst->provide(ctx);
    detail::run_recorder recorder(run.id, run.attempt, opts_.store.clock, redactor_);
    ctx.set_observer(&recorder);

    result<run_outcome> outcome = make_error(errc::internal, "the run did not start");
    std::string escaped;
    try {
      outcome = co_await r->run(run.payload, ctx);
    } catch (const std::exception& e) {
      escaped = std::string("an exception escaped the workflow: ") + e.what();
    } catch (...) {
      escaped = "a non-standard exception escaped the workflow";
    }
    if (!escaped.empty()) outcome = make_error(errc::internal, std::move(escaped));
    keeper->done = true;
    keeper->timer.cancel();
    metrics_.run_duration.observe(seconds_between(started, now()));

    if (outcome) {
      const bool skipped = outcome->was_skipped();
      (skipped ? r->metrics.skipped : r->metrics.succeeded).add();
      log(log_level::debug, skipped ? "run skipped" : "run succeeded",
          {{"run", run.id},
           {"tenant", run.tenant},
           {"workflow", run.workflow},
           {"attempt", run.attempt}});
      std::string no_error;
      co_await finish(run, skipped ? store::run_status::skipped : store::run_status::succeeded,
                      std::move(no_error), std::move(recorder.events()));
      co_return;
    }
    const ::syncline::error& failure = outcome.error();
    const std::string message = redact(to_string(failure));
    const retry_policy& policy = r->policy_at(recorder.failed_position());
    r->metrics.failed.add();
    if (policy.retries(failure.category, run.attempt)) {
      std::chrono::milliseconds wait;
      {
        std::lock_guard lock(rng_mu_);
        wait = policy.backoff(run.attempt, rng_);
      }
      r->metrics.retried.add();
      log(log_level::warn, "run failed, will retry",
          {{"run", run.id},
           {"tenant", run.tenant},
           {"workflow", run.workflow},
           {"attempt", run.attempt},
           {"retry_in_ms", static_cast<std::int64_t>(wait.count())},
           {"error", message}});
      auto done = co_await end_run(store::run_completion::retried(run, now() + wait, message),
                                   std::move(recorder.events()));
      report_progress_failure(run, done);
      co_return;
    }
    r->metrics.dead_lettered.add();
    log(log_level::error, "run dead-lettered",
        {{"run", run.id},
         {"tenant", run.tenant},
         {"workflow", run.workflow},
         {"attempt", run.attempt},
         {"error", message}});
    co_await finish(run, store::run_status::dead, message, std::move(recorder.events()));
  }

  static double seconds_between(store::time_point a, store::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }

  boost::asio::awaitable<void> finish(const store::claimed_run& run, store::run_status status,
                                      std::string error, std::vector<store::block_event> events) {
    auto done = co_await end_run(store::run_completion::completed(run, status, std::move(error)),
                                 std::move(events));
    if (done) metrics_.run_latency.observe(seconds_between(run.enqueued_at, now()));
    report_progress_failure(run, done);
  }

  // Batched completion: a finished run (completed, dead-lettered or given back for a retry) and
  // its block events wait in completions_ while the store thread writes the previous batch;
  // the next store task writes everything waiting in ONE transaction (store::finish_many), and
  // the tasks of runs already written just return their answer. So under load one commit ends
  // many runs, with no timer and no added latency when idle. Durability is unchanged: a run's
  // coroutine resumes only once its own completion is committed. A crash loses at most the
  // batch being written; those runs re-run when their lease expires, which their idempotency
  // key makes harmless.
  struct completion_slot {
    store::run_completion what;
    std::optional<result<void>> answer{};  // set on the store thread by the batch that wrote it
  };

  boost::asio::awaitable<result<void>> end_run(store::run_completion what,
                                               std::vector<store::block_event> events) {
    queue_block_events(std::move(events));
    auto slot = std::make_shared<completion_slot>(completion_slot{std::move(what)});
    {
      std::lock_guard lock(completions_mu_);
      completions_.push_back(slot);
    }
    // The slot outlives the store task: this frame holds it until the task's answer resumes it.
    co_return co_await on_store([this, mine = slot.get()] { return write_completions(*mine); });
  }

  // On the store thread only (one thread, tasks in order): if no earlier task's batch wrote
  // `mine`, it is still waiting, and this task writes it with everything else that waits.
  result<void> write_completions(completion_slot& mine) {
    if (!mine.answer) {
      std::vector<std::shared_ptr<completion_slot>> batch;
      {
        std::lock_guard lock(completions_mu_);
        batch.swap(completions_);
      }
      std::vector<store::block_event> events;
      {
        std::lock_guard lock(pending_events_mu_);
        events.swap(pending_events_);
      }
      std::vector<store::run_completion> items;
      items.reserve(batch.size());
      for (const auto& s : batch) items.push_back(std::move(s->what));
      auto answers = store_->finish_many(items, events);
      if (answers && answers->size() != batch.size()) {
        answers =
            make_error(errc::internal, "the store answered " + std::to_string(answers->size()) +
                                           " of " + std::to_string(batch.size()) + " completions");
      }
      metrics_.completion_batch(batch.size());
      for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i]->answer = answers ? std::move((*answers)[i]) : result<void>(answers.error());
      }
      if (!answers && !events.empty()) {
        log(log_level::warn, "writing block events failed; the run log misses them",
            {{"events", events.size()}, {"error", to_string(answers.error())}});
      }
    }
    if (!mine.answer) return make_error(errc::internal, "a run's completion was not written");
    return std::move(*mine.answer);
  }

  // A run's block events wait here until the store thread's next batch of completions writes
  // them, in the same transaction as the runs they belong to.
  void queue_block_events(std::vector<store::block_event> events) {
    if (events.empty()) return;
    std::lock_guard lock(pending_events_mu_);
    if (pending_events_.empty())
      pending_events_ = std::move(events);
    else
      pending_events_.insert(pending_events_.end(), std::make_move_iterator(events.begin()),
                             std::make_move_iterator(events.end()));
  }

  void report_progress_failure(const store::claimed_run& run, const result<void>& r) {
    if (r) return;
    if (r.error().category == errc::conflict) {
      log(log_level::warn,
          "run lease lost: another worker holds the run; this attempt's answer "
          "is discarded",
          {{"run", run.id}, {"error", r.error().message}});
    } else {
      metrics_.store_failed();
      log(log_level::error,
          "recording a run's end failed; the run will run again when its lease "
          "expires",
          {{"run", run.id}, {"error", to_string(r.error())}});
    }
  }

  boost::asio::awaitable<void> prune_loop() {
    while (!stopping_) {
      prune_timer_.expires_after(opts_.prune_interval);
      boost::system::error_code ec;
      co_await prune_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (stopping_) co_return;
      auto r = co_await on_store([this] { return store_->prune(opts_.keep_finished); });
      if (!r) {
        metrics_.store_failed();
        log(log_level::warn, "prune failed", {{"error", to_string(r.error())}});
      } else if (r->runs + r->dedupe_keys + r->echo_records > 0) {
        log(log_level::info, "pruned",
            {{"runs", r->runs},
             {"dedupe_keys", r->dedupe_keys},
             {"echo_records", r->echo_records}});
      }
    }
  }

  // --- polls and schedules ------------------------------------------------------------------

  void start_sources(const std::shared_ptr<detail::installation>& inst) {
    const auto runners = registry_.sources_of(inst->integration);
    for (const auto* r : runners) {
      auto s = std::make_shared<source_state>(boost::asio::make_strand(io_.context()), inst, r);
      {
        std::lock_guard lock(sources_mu_);
        if (stopping_) return;
        sources_.push_back(s);
      }
      if (r->kind == trigger_kind::poll)
        boost::asio::co_spawn(s->timer.get_executor(), poll_loop(s), boost::asio::detached);
      else
        boost::asio::co_spawn(s->timer.get_executor(), schedule_loop(s), boost::asio::detached);
    }
  }

  // Cancels the sources of one installation (all when integration is empty). `keep` is spared.
  void cancel_sources(std::string_view integration, std::string_view tenant_id,
                      const detail::installation* keep) {
    std::lock_guard lock(sources_mu_);
    std::erase_if(sources_, [&](const std::shared_ptr<source_state>& s) {
      if (!integration.empty() && (s->inst->integration != integration ||
                                   s->inst->tenant != tenant_id || s->inst.get() == keep))
        return false;
      s->cancelled = true;
      boost::asio::post(s->timer.get_executor(), [s] { s->timer.cancel(); });
      return true;
    });
  }

  // Sleeps on the source's timer until `target` by the engine's clock, or until cancelled.
  boost::asio::awaitable<void> sleep_until(source_state& s, store::time_point target) {
    while (!s.cancelled) {
      const auto left = target - now();
      if (left <= store::time_point::duration::zero()) co_return;
      s.timer.expires_after(std::min<std::chrono::steady_clock::duration>(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(left),
          std::chrono::hours(1)));
      boost::system::error_code ec;
      co_await s.timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }

  run_context source_context(const source_state& s, std::string_view what) {
    run_context ctx(run_info{s.inst->tenant, std::string(what), s.inst->integration, 1});
    for (auto& provide_service : services_) provide_service(ctx);
    ctx.provide(*client_);
    ctx.provide(static_cast<store::store&>(*store_));
    s.inst->provide(ctx);
    return ctx;
  }

  static store::cursor_key cursor_of(const source_state& s) {
    return {s.inst->tenant, s.inst->integration,
            std::string(s.runner->workflow) + "/" + std::string(s.runner->trigger)};
  }

  boost::asio::awaitable<void> poll_loop(std::shared_ptr<source_state> s) {
    bool first = true;
    while (!s->cancelled && !stopping_) {
      if (!first) {
        auto next = next_tick_after(*s->runner->spec(), now());
        if (!next) co_return;
        co_await sleep_until(*s, *next);
        if (s->cancelled || stopping_) co_return;
      }
      first = false;
      co_await poll_once(*s);
    }
  }

  // Fetches pages from the stored cursor; each page's runs and its cursor are committed in one
  // transaction. On any failure the cursor stays where the last committed page left it.
  boost::asio::awaitable<void> poll_once(source_state& s) {
    const store::cursor_key key = cursor_of(s);
    auto read = [this, key] { return store_->get_cursor(key); };
    auto stored = co_await on_store(std::move(read));
    if (!stored) {
      metrics_.store_failed();
      log(log_level::warn, "poll: reading the cursor failed",
          {{"error", to_string(stored.error())}});
      co_return;
    }
    std::string cursor = stored->value_or(std::string());
    for (std::size_t page_no = 0; page_no < opts_.max_pages_per_poll && !s.cancelled; ++page_no) {
      intake_guard intake(intake_);
      run_context ctx = source_context(s, "poll");
      result<detail::polled_page> page = make_error(errc::internal, "not fetched");
      std::string escaped;
      try {
        page = co_await s.runner->fetch(ctx, cursor);
      } catch (const std::exception& e) {
        escaped = std::string("an exception escaped fetch: ") + e.what();
      }
      if (!escaped.empty()) page = make_error(errc::internal, std::move(escaped));
      if (!page) {
        metrics_.poll_failed();
        log(log_level::warn, "poll failed; the cursor stays, the page is fetched again next time",
            {{"tenant", s.inst->tenant},
             {"workflow", s.runner->workflow},
             {"error", redact(to_string(page.error()))}});
        co_return;
      }
      std::vector<store::new_run> runs;
      runs.reserve(page->items.size());
      for (auto& item : page->items)
        runs.push_back(
            make_run(*s.runner, s.inst->tenant, item.dedupe_key, std::move(item.payload)));
      const store::cursor_update update{key, page->cursor};
      auto committed = co_await on_store(
          [this, &runs, &update] { return store_->enqueue_with_cursor(runs, update); });
      if (!committed) {
        metrics_.rejected(committed.error().category == errc::unavailable ? rejection::queue_full
                                                                          : rejection::storage);
        log(log_level::warn, "poll page not queued; the cursor stays",
            {{"tenant", s.inst->tenant},
             {"workflow", s.runner->workflow},
             {"error", to_string(committed.error())}});
        co_return;
      }
      for (const auto& r : *committed) {
        if (r.kind == store::enqueue_result::duplicate)
          metrics_.duplicate(trigger_kind::poll);
        else
          metrics_.accepted(trigger_kind::poll);
      }
      if (!committed->empty()) doorbell_.ring();
      cursor = page->cursor;
      if (!page->more) co_return;
    }
  }

  boost::asio::awaitable<void> schedule_loop(std::shared_ptr<source_state> s) {
    const store::cursor_key key = cursor_of(*s);
    const schedule_spec& spec = *s->runner->spec();
    std::optional<store::time_point> last;
    while (!last && !s->cancelled && !stopping_) {
      auto read = [this, key] { return store_->get_cursor(key); };
      auto stored = co_await on_store(std::move(read));
      if (stored) {
        if (*stored) last = parse_time(**stored);
        if (!last) {
          // First start: ticks count from now (a schedule installed today has missed nothing).
          const auto t = now();
          auto write = [this, key, t] { return store_->set_cursor({key, time_text(t)}); };
          auto set = co_await on_store(std::move(write));
          if (set) last = t;
        }
      }
      if (!last) {
        log(log_level::warn, "schedule: reading its last tick failed; trying again",
            {{"workflow", s->runner->workflow}});
        co_await sleep_until(*s, now() + std::chrono::seconds(1));
      }
    }
    while (!s->cancelled && !stopping_) {
      const auto t = now();
      auto first_due = next_tick_after(spec, *last);
      if (!first_due) co_return;
      if (*first_due <= t) {
        intake_guard intake(intake_);
        auto ticks =
            due_ticks(spec, *last, t, opts_.missed, opts_.tick_grace, opts_.max_missed_ticks);
        std::vector<store::new_run> runs;
        for (const auto& at : ticks) {
          runs.push_back(make_run(*s->runner, s->inst->tenant, time_text(at),
                                  detail::payload_codec<tick>::encode(tick{at})));
        }
        const store::cursor_update update{key, time_text(t)};
        auto committed = co_await on_store(
            [this, &runs, &update] { return store_->enqueue_with_cursor(runs, update); });
        if (!committed) {
          log(log_level::warn, "schedule tick not queued; trying again",
              {{"workflow", s->runner->workflow}, {"error", to_string(committed.error())}});
          co_await sleep_until(*s, now() + std::chrono::seconds(1));
          continue;
        }
        for (const auto& r : *committed) {
          if (r.kind == store::enqueue_result::duplicate)
            metrics_.duplicate(trigger_kind::schedule);
          else
            metrics_.accepted(trigger_kind::schedule);
        }
        last = t;
        if (!runs.empty()) doorbell_.ring();
      }
      auto next = next_tick_after(spec, *last);
      if (!next) co_return;
      co_await sleep_until(*s, *next);
    }
  }

  static std::string time_text(store::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  }
  static std::optional<store::time_point> parse_time(std::string_view text) {
    std::int64_t ns = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return store::time_point(
        std::chrono::duration_cast<store::time_point::duration>(std::chrono::nanoseconds(ns)));
  }

  // --- HTTP ---------------------------------------------------------------------------------

  void add_routes() {
    server_->route(http::verb::post, "/webhooks/{app}/{topic...}",
                   [this](http::incoming& req) { return on_webhook(req); });
    server_->route(http::verb::post, "/events/{event}",
                   [this](http::incoming& req) { return on_event(req); });
    server_->route(http::verb::get, "/metrics",
                   [this](http::incoming&) -> boost::asio::awaitable<http::response> {
                     auto text = co_await on_store([this] { return metrics_text(); });
                     co_return http::make_response(200, std::move(text),
                                                   "text/plain; version=0.0.4");
                   });
    server_->route(http::verb::get, "/healthz",
                   [this](http::incoming&) -> boost::asio::awaitable<http::response> {
                     auto c = co_await on_store([this] { return store_->counts(); });
                     if (!c)
                       co_return http::make_response(503, R"({"status":"store unavailable"})");
                     co_return http::make_response(200, R"({"status":"ok"})");
                   });
  }

  static http::response json_error(unsigned status, std::string_view message) {
    return http::make_response(status, "{\"error\":" + json::encode(std::string(message)) + "}");
  }

  http::response refuse(const ::syncline::error& e) {
    switch (e.category) {
      case errc::unavailable: {
        auto res = json_error(503, "the run queue is full; retry later");
        res.set(http::field::retry_after, std::to_string(opts_.retry_after.count()));
        return res;
      }
      case errc::storage: {
        auto res = json_error(503, "the run queue cannot be written; retry later");
        res.set(http::field::retry_after, std::to_string(opts_.retry_after.count()));
        return res;
      }
      case errc::not_found: return json_error(404, e.message);
      case errc::unauthorized: return json_error(401, e.message);
      case errc::invalid_input:
      case errc::decode:
      case errc::limit_exceeded: return json_error(400, e.message);
      default: return json_error(500, "internal error");
    }
  }

  static http::response accepted(const std::vector<std::int64_t>& ids, bool all_duplicates) {
    std::string body = "{\"status\":\"";
    body += all_duplicates ? "duplicate" : "accepted";
    body += "\",\"runs\":[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) body += ',';
      body += std::to_string(ids[i]);
    }
    body += "]}";
    return http::make_response(200, std::move(body));
  }

  // POST /webhooks/{app}/{topic}: identify (400) -> tenant (401) -> verify (401) -> durable
  // enqueue with the dedupe key -> 200 only after the commit; a duplicate -> 200 without a new
  // run; queue full -> 503 + Retry-After. An unknown tenant is answered 401 like a bad signature:
  // without the tenant's secret the delivery cannot be authenticated, and answering alike tells a
  // prober nothing about which tenants are installed.
  //
  // A delivery of the app's uninstall topic (app_deliveries::uninstall_topic) is read and
  // verified by the app itself, so it uninstalls the tenant whether or not a workflow listens to
  // it; workflows that do listen get their run as for any topic. A repeated uninstall notice is
  // verified with the retired credentials and answered 200 without effect. A delivery that says
  // it carries another topic than the URL's is refused (400): a signed delivery of one topic
  // cannot be replayed as another.
  boost::asio::awaitable<http::response> on_webhook(http::incoming& req) {
    intake_guard intake(intake_);
    const std::string app(req.param("app"));
    const std::string topic(req.param("topic"));
    struct target {
      const detail::runner* runner;
      std::string integration;
    };
    std::vector<target> targets;
    detail::app_deliveries app_reader;
    registry_.read([&](const registry::entries& integrations) {
      for (const auto& [name, entry] : integrations) {
        if (entry.app != app) continue;
        if (!app_reader.identify) app_reader = entry.deliveries;
        for (const auto& r : entry.runners) {
          if (r->accepts_deliveries() && r->trigger == topic) targets.push_back({r.get(), name});
        }
      }
    });
    const bool uninstall_topic = app_reader.uninstalls_on(topic);
    if (targets.empty() && !uninstall_topic) {
      metrics_.rejected(rejection::not_found);
      co_return json_error(404, "no installed workflow listens to this webhook topic");
    }
    inbound_delivery delivery{[&req](std::string_view name) { return req.header(name); },
                              req.body()};
    auto id = targets.empty() ? app_reader.identify(delivery)
                              : targets.front().runner->identify(delivery);
    if (id && !id->topic.empty() && id->topic != topic) {
      id = make_error(errc::invalid_input, "the delivery carries topic " +
                                               json::detail::quoted(id->topic, 64) +
                                               " but was posted to the URL of " + topic);
    }
    if (id) {
      if (auto ok = check_dedupe_key(id->dedupe_key, "the delivery's id"); !ok)
        id = std::move(ok).error();
    }
    if (!id) {
      metrics_.rejected(rejection::bad_request);
      co_return json_error(400, id.error().message);
    }
    // The installations named by the delivery, each verified with its own credentials.
    std::vector<std::pair<const detail::runner*, std::shared_ptr<detail::installation>>> verified;
    std::vector<std::shared_ptr<detail::installation>> uninstalling;
    bool already_uninstalled = false;
    registry_.read([&](const registry::entries& integrations) {
      auto lookup = [&](const integration_entry& e) -> std::shared_ptr<detail::installation> {
        auto k = e.by_key.find(id->tenant_key);
        if (k == e.by_key.end()) return nullptr;
        auto t = e.tenants.find(k->second);
        return t == e.tenants.end() ? nullptr : t->second;
      };
      for (const auto& t : targets) {
        auto e = integrations.find(t.integration);
        auto inst = e == integrations.end() ? nullptr : lookup(e->second);
        if (inst && inst->active && t.runner->verify(delivery, *inst))
          verified.emplace_back(t.runner, inst);
      }
      if (uninstall_topic) {
        for (const auto& [name, entry] : integrations) {
          if (entry.app != app || !entry.deliveries.verify) continue;
          if (auto inst = lookup(entry); inst && entry.deliveries.verify(delivery, *inst)) {
            uninstalling.push_back(inst);
            continue;
          }
          for (const auto& [tenant, inst] : entry.retired) {
            if (inst->tenant_key == id->tenant_key && entry.deliveries.verify(delivery, *inst))
              already_uninstalled = true;
          }
        }
      }
    });
    if (verified.empty() && uninstalling.empty() && !already_uninstalled) {
      metrics_.rejected(rejection::unauthorized);
      co_return json_error(401,
                           "the delivery could not be authenticated (unknown tenant or bad "
                           "signature)");
    }
    std::vector<std::int64_t> ids;
    bool all_duplicates = !verified.empty();
    for (const auto& [runner, inst] : verified) {
      planned_run p{runner,
                    make_run(*runner, inst->tenant, id->dedupe_key, std::string(req.body()))};
      auto answer = co_await commit_->submit(p.run);
      auto r = account(p, std::move(answer));
      if (!r) {
        log(log_level::warn, "webhook not queued",
            {{"app", app},
             {"topic", topic},
             {"tenant", inst->tenant},
             {"error", to_string(r.error())}});
        co_return refuse(r.error());
      }
      ids.push_back(r->run_id);
      all_duplicates = all_duplicates && r->duplicate;
    }
    if (!ids.empty()) doorbell_.ring();
    for (const auto& inst : uninstalling) {
      log(log_level::info, "uninstall notice received",
          {{"integration", inst->integration}, {"tenant", inst->tenant}, {"topic", topic}});
      // Off the I/O thread: uninstall writes to the store.
      auto r = co_await on_store(
          [this, i = inst.get()] { return uninstall(i->integration, i->tenant); });
      if (!r) {
        log(log_level::warn, "uninstall not recorded in the store",
            {{"integration", inst->integration},
             {"tenant", inst->tenant},
             {"error", to_string(r.error())}});
      }
    }
    co_return accepted(ids, all_duplicates);
  }

  // POST /events/{event}: an app event of your platform over HTTP, signed like the data stream.
  boost::asio::awaitable<http::response> on_event(http::incoming& req) {
    intake_guard intake(intake_);
    if (opts_.event_signing_secret.empty()) {
      metrics_.rejected(rejection::not_found);
      co_return json_error(404, "app events over HTTP are not enabled (no event_signing_secret)");
    }
    const data_stream::verifier verifier(opts_.event_signing_secret, {opts_.event_tolerance});
    auto ok = verifier.verify(req.body(), req.header(data_stream::signature_header),
                              req.header(data_stream::timestamp_header), now());
    if (!ok) {
      metrics_.rejected(rejection::unauthorized);
      co_return json_error(401, ok.error().message);
    }
    const std::string tenant_id(req.header(data_stream::tenant_header));
    if (tenant_id.empty()) {
      metrics_.rejected(rejection::bad_request);
      co_return json_error(400, std::string(data_stream::tenant_header) + " header is missing");
    }
    const std::string_view key = req.header(data_stream::idempotency_key_header);
    if (auto ok = check_dedupe_key(key, data_stream::idempotency_key_header); !ok) {
      metrics_.rejected(rejection::bad_request);
      co_return json_error(400, ok.error().message);
    }
    const std::string event(req.param("event"));
    auto planned = plan(trigger_kind::app_event, tenant_id, event, nullptr, {},
                        std::string(req.body()), key, true);
    if (!planned) {
      if (planned.error().category != errc::not_found) metrics_.rejected(rejection::bad_request);
      co_return refuse(planned.error());
    }
    auto out = co_await submit_async(std::move(*planned));
    if (!out) co_return refuse(out.error());
    std::vector<std::int64_t> ids;
    bool all_duplicates = !out->runs.empty();
    for (const auto& r : out->runs) {
      ids.push_back(r.run_id);
      all_duplicates = all_duplicates && r.duplicate;
    }
    co_return accepted(ids, all_duplicates);
  }

  // --- members (order matters: see ~engine_core)
  // ---------------------------------------------------

  engine_options opts_;
  redactor redactor_;
  engine_metrics metrics_;
  std::optional<::syncline::error> broken_;
  std::unique_ptr<store::sqlite_store> store_;
  std::string worker_id_;
  std::vector<std::function<void(run_context&)>> services_;

  registry registry_;

  std::mutex sources_mu_;
  std::vector<std::shared_ptr<source_state>> sources_;

  std::atomic<int> state_{created};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> intake_{0};  // events accepted, their runs not yet committed
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool dispatching_ = false;  // under stop_mu_ when it turns false
  std::mutex pending_events_mu_;
  std::vector<store::block_event> pending_events_;
  std::mutex completions_mu_;
  std::vector<std::shared_ptr<completion_slot>> completions_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_{std::random_device{}()};

  // Store calls of coroutines run here; joined before the store closes.
  boost::asio::thread_pool store_pool_{1};
  // Everything below uses the io_context and is destroyed before it.
  http::io_threads io_;
  std::unique_ptr<store::group_commit> commit_;
  std::unique_ptr<detail::store_echo_memory> echo_;
  std::unique_ptr<http::client> client_;
  std::unique_ptr<http::server> server_;
  boost::asio::strand<boost::asio::io_context::executor_type> dispatch_strand_;
  detail::doorbell doorbell_;
  boost::asio::steady_timer prune_timer_;
};

}  // namespace syncline::detail
