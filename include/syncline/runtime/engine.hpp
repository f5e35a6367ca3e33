// syncline::engine: runs installed integrations. Every accepted trigger event (a webhook, an app
// event, a poll page, a schedule tick, a manual run) is written to the durable run queue before
// it is acknowledged; an executor claims runs, runs their workflows with the tenant's
// credentials, retries failures by the failing block's policy, dead-letters what cannot succeed,
// and keeps a run log. See docs/operations.md.
//
//   syncline::engine eng({.threads = 2, .database = "syncline.db", .listen = {"127.0.0.1", 0}});
//   eng.install(shopify_sync, syncline::tenant{"shop-a", shopify::credentials{...}},
//               syncline::services(connector, warehouse));  // what its parts need
//   eng.start();                                  // server + executor + polls + schedules
//   auto r = eng.emit("shop-a", "order.placed", order_placed{...});  // durable when it returns
//   eng.dead_letters(); eng.replay(run_id); eng.runs({.status = store::run_status::dead});
//   eng.wait_until_quiet(std::chrono::seconds(5)); // tests, demos: until nothing is left to do
//   eng.stop();                                   // graceful: in-flight runs finish or lease back
//
// Integrations must outlive the engine (a constexpr integration at namespace scope always does).
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/type_name.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/install_rules.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/integration_spec.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/emit_receipt.hpp>
#include <syncline/runtime/engine_options.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/redactor.hpp>
#include <syncline/runtime/sealed_credentials.hpp>
#include <syncline/runtime/services.hpp>
#include <syncline/runtime/tenant.hpp>
#include <syncline/store/block_event_record.hpp>
#include <syncline/store/run.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline {

namespace detail {
class engine_core;
}  // namespace detail

// A facade: the templates below type-check what the user hands over and build its typed parts
// (runners, installations) in the user's translation unit; everything else is detail::engine_core,
// compiled once in separate compilation (runtime/impl/engine.ipp).
class engine {
 public:
  // Opens (or creates) the database. A failure to open is kept and returned by every call
  // (install, start, emit, ...), so the constructor itself cannot fail.
  SYNCLINE_DECL explicit engine(engine_options options = {});

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  SYNCLINE_DECL ~engine();

  // --- installations ------------------------------------------------------------------------

  // Activates `integration` for one tenant with that tenant's credentials and settings (again:
  // replaces them), its runs given `given` besides what the engine provides itself (its HTTP
  // client, its store, the echo memory, the tenant's credentials and settings). Does not compile
  // when a part of the integration needs a service (core/needs.hpp) that is neither. Callable
  // before or after start(). The installation (id, settings) is recorded in the store, and with
  // engine_options::keyring set its credentials too, sealed (runtime/sealed_credentials.hpp):
  // restore() then installs it again at the next start. Services are never stored: your
  // application gives them at each start. The secrets of a service that says which it holds
  // (holds_secrets: a data stream, a warehouse sink) are scrubbed from everything the engine
  // writes, like the tenants' credentials.
  template <class Integration, class Credentials, class... S>
  result<void> install(const Integration& integration, tenant<Credentials> t,
                       services<S...> given = {}) {
    std::string sealed;
    if constexpr (detail::installable<Integration, Credentials, needs<std::remove_cv_t<S>...>>() &&
                  storable_credentials<Credentials>) {
      if (const auto& ring = options().keyring) {
        auto envelope = seal_credentials(*ring, Integration::name, t.id, t.credentials);
        if (!envelope) return std::move(envelope).error();
        sealed = std::move(*envelope);
      }
    }
    return install_as(integration, std::move(t), given, std::move(sealed));
  }

  // Installs again every installation of `integration` whose credentials the store holds
  // sealed (installed with engine_options::keyring set), with the services `given`, as install()
  // does; answers how many. An engine that restarts serves every installed tenant this way
  // without the application supplying credentials again. Installations stored without
  // credentials are left for the application to install. An envelope that does not open (a key
  // the keyring lacks, a wrong key, a tampered row) is an error naming the installation and the
  // key id, given after the others were installed; sealed rows and no keyring is an error too.
  // Envelopes sealed with an older key are resealed with the current one (key rotation: put
  // the new key first in the keyring and restart).
  //
  // `adapt` sees each tenant's credentials as stored before they are installed (what an app's
  // onboarding adds that is not stored, e.g. shopify::token_refresher's token source).
  template <class Integration, class... S>
  result<std::size_t> restore(const Integration& integration, services<S...> given = {},
                              const std::function<typename Integration::app_type::credentials(
                                  typename Integration::app_type::credentials,
                                  const store::installation_record&)>& adapt = {}) {
    using credentials = typename Integration::app_type::credentials;
    store::store* st = durable_store();
    if (!st) return make_error(errc::unavailable, "restore: the store is not open");
    auto rows = st->list_installations(Integration::name);
    if (!rows) return std::move(rows).error();
    std::size_t restored = 0;
    std::optional<error> first_failure;
    for (auto& row : *rows) {
      if (row.credentials.empty()) continue;
      auto creds = restore_credentials<credentials>(Integration::name, row);
      if (!creds) {
        if (!first_failure) first_failure = std::move(creds).error();
        continue;
      }
      tenant<credentials> t{row.id, adapt ? adapt(std::move(*creds), row) : std::move(*creds),
                            row.settings};
      if (auto r = install_as(integration, std::move(t), given, std::nullopt); !r) {
        if (!first_failure) first_failure = std::move(r).error();
        continue;
      }
      ++restored;
    }
    if (first_failure) return *first_failure;
    return restored;
  }

  // Stops an installation: its webhooks, events, polls and schedules are refused from now on.
  // Runs already queued still run with its credentials while this engine lives. Uninstalling a
  // tenant that is not installed succeeds (app/uninstalled may be delivered twice).
  SYNCLINE_DECL result<void> uninstall(std::string_view integration, std::string_view tenant_id);

  // READ THIS IF YOUR COMPILE BREAKS HERE: services are given to install, which checks them
  // against what the integration's parts need: eng.install(integration, tenant,
  // syncline::services(sink, stream, ...)).
  template <class T>
  void provide(T& service) = delete;

  // Serves `pattern` (http/router.hpp syntax) on the engine's server beside its own routes (an
  // install callback, an admin page). Before start(): errc::invalid_input after it.
  SYNCLINE_DECL result<void> route(http::verb method, std::string pattern, http::handler h);

  // Writes one line to the engine's log (engine_options::log), its values scrubbed of every
  // secret the engine knows: for what runs beside the engine (an app's onboarding).
  SYNCLINE_DECL void log(log_level level, std::string_view message,
                         std::initializer_list<log_field> fields = {});

  // --- life cycle ---------------------------------------------------------------------------

  // Starts the HTTP server (when listen.address is set), the executor, polls, schedules and the
  // periodic prune. Once only: an engine that stopped does not start again.
  SYNCLINE_DECL result<void> start();

  // Graceful stop, callable more than once: no new events (the server stops accepting, polls
  // and schedules stop), in-flight runs get up to stop_timeout to finish, waiting submits are
  // committed. A run still running after that is abandoned: its lease expires and a later
  // engine on the same database runs it again.
  SYNCLINE_DECL void stop();

  // Blocks until the engine has nothing left to do: no event on its way to the queue (an emit,
  // webhook, app event, poll page or schedule tick not yet committed), no run queued, waiting
  // for a retry or running; seen a few times in a row, so a run that queues a follow-up as it
  // ends is not missed. False when `timeout` passes first. For tests, demos and batch jobs; call
  // it from your own thread, not from a run or an engine thread.
  SYNCLINE_DECL bool wait_until_quiet(std::chrono::milliseconds timeout);

  // --- trigger events -------------------------------------------------------------------------

  // Emits an app event of your platform for one tenant: one run per installed workflow of that
  // tenant listening to `event`. Returns once the runs are durable. errc::unavailable when the
  // queue is full (backpressure: retry later), errc::not_found when no installed workflow of any
  // tenant listens to `event` (a typo), errc::invalid_input when the payload type is not the
  // event's. Blocks the calling thread for the commit: from a coroutine, use async_emit.
  template <class T>
  result<emit_receipt> emit(std::string_view tenant_id, std::string_view event, const T& payload,
                            emit_options options = {}) {
    return submit_event(trigger_kind::app_event, tenant_id, event, detail::type_key<T>(),
                        type_name<T>(), detail::encode_event_payload(payload), options.dedupe_key,
                        false);
  }

  template <class T>
  boost::asio::awaitable<result<emit_receipt>> async_emit(std::string tenant_id, std::string event,
                                                          T payload, emit_options options = {}) {
    return async_submit_event(trigger_kind::app_event, std::move(tenant_id), std::move(event),
                              detail::type_key<T>(), std::string(type_name<T>()),
                              detail::encode_event_payload(payload), std::move(options.dedupe_key));
  }

  // Starts a manual run of workflow `workflow` (or "integration/workflow" when two installed
  // integrations of the tenant share the name) with a typed payload.
  template <class T>
  result<emit_receipt> run_manual(std::string_view tenant_id, std::string_view workflow,
                                  const T& payload, emit_options options = {}) {
    return submit_event(trigger_kind::manual, tenant_id, workflow, detail::type_key<T>(),
                        type_name<T>(), detail::encode_event_payload(payload), options.dedupe_key,
                        false);
  }

  // The same with a JSON payload, checked against the workflow's payload type before queueing.
  SYNCLINE_DECL result<emit_receipt> run_manual_json(std::string_view tenant_id,
                                                     std::string_view workflow, std::string json,
                                                     emit_options options = {});

  // --- run log, dead letters, replay --------------------------------------------------------

  SYNCLINE_DECL result<std::vector<store::run_record>> runs(const store::run_query& query = {});
  SYNCLINE_DECL result<store::run_record> run(std::int64_t run_id);
  SYNCLINE_DECL result<std::vector<store::block_event_record>> block_events(std::int64_t run_id);
  SYNCLINE_DECL result<std::vector<store::run_record>> dead_letters(
      const store::run_filter& filter = {}, std::size_t limit = 100);
  // Queues a dead run again, with a fresh set of attempts and the same idempotency key.
  SYNCLINE_DECL result<void> replay(std::int64_t run_id);
  SYNCLINE_DECL result<std::int64_t> replay_all(const store::run_filter& filter = {});
  SYNCLINE_DECL result<store::run_counts> counts();
  // Applies retention now (it also runs every prune_interval).
  SYNCLINE_DECL result<store::prune_result> prune();

  // --- introspection ------------------------------------------------------------------------

  SYNCLINE_DECL std::uint16_t port() const noexcept;
  SYNCLINE_DECL std::string url() const;
  // The Prometheus text served at GET /metrics.
  SYNCLINE_DECL std::string metrics_text();
  SYNCLINE_DECL const engine_metrics& metrics() const noexcept;
  // The durable store, for tools and tests. Null when the database could not be opened.
  SYNCLINE_DECL store::store* durable_store() noexcept;
  SYNCLINE_DECL boost::asio::any_io_executor executor() noexcept;
  SYNCLINE_DECL const engine_options& options() const noexcept;

 private:
  // install() and restore(): `sealed` is what the installation row keeps of the credentials
  // ("" = nothing); nullopt when the row is stored already (restore).
  template <class Integration, class Credentials, class... S>
  result<void> install_as(const Integration& integration, tenant<Credentials> t,
                          services<S...> given, std::optional<std::string> sealed) {
    if constexpr (!detail::installable<Integration, Credentials, needs<std::remove_cv_t<S>...>>()) {
      // The rule's own error was given; compile nothing more of this integration.
      return make_error(errc::invalid_input, "install: not an integration");
    } else {
      using app = typename Integration::app_type;
      std::string key = detail::tenant_key_of(t);
      auto secrets = secrets_of(t.credentials);
      std::string settings = t.settings;
      given.for_each([this](auto& service) {
        using T = std::remove_cvref_t<decltype(service)>;
        if constexpr (holds_secrets<T>)
          add_secret_source(std::to_string(reinterpret_cast<std::uintptr_t>(&service)),
                            [&service] { return service.secrets(); });
      });
      auto inst = std::make_shared<detail::typed_installation<Credentials, services<S...>>>(
          std::string(Integration::name), std::move(key), std::move(t), given);
      if constexpr (holds_secrets<Credentials>) {
        // Credentials whose secrets change while the engine runs (a refreshed token) say which
        // they hold now, as services do.
        const auto* held = static_cast<const Credentials*>(inst->credentials());
        add_secret_source("credentials/" + std::string(Integration::name) + "/" + inst->tenant,
                          [inst, held] { return held->secrets(); });
      }
      detail::integration_spec spec{
          .name = Integration::name,
          .app = app::name,
          .type = detail::type_key<Integration>(),
          .deliveries = detail::app_deliveries::of<app>(),
          .make_runners = [&integration](engine_metrics& m, const retry_policy& fallback) {
            std::vector<std::unique_ptr<detail::runner>> runners;
            for_each_workflow(integration, [&](const auto& wf) {
              using W = std::remove_cvref_t<decltype(wf)>;
              auto& wm = m.add_workflow(Integration::name, W::name);
              runners.push_back(std::make_unique<detail::workflow_runner<W>>(
                  Integration::name, app::name, wf, wm, fallback));
            });
            return runners;
          }};
      return install_erased(spec, std::move(inst), std::move(secrets), std::move(settings),
                            std::move(sealed));
    }
  }

  // The credentials of a stored row, opened; resealed in the store when an older key sealed them.
  template <class Credentials>
  result<Credentials> restore_credentials(std::string_view integration,
                                          const store::installation_record& row) {
    if constexpr (!storable_credentials<Credentials>) {
      return make_error(errc::invalid_input, "restore: this app's credentials are not described");
    } else {
      const auto& ring = options().keyring;
      if (!ring) {
        return make_error(errc::invalid_input,
                          "restore: " + std::string(integration) + "/" + row.id +
                              " has sealed credentials, and engine_options::keyring is not set");
      }
      auto creds =
          unseal_credentials<Credentials>(*ring, integration, row.id, row.credentials.reveal());
      if (creds) reseal_if_stale(integration, row);
      return creds;
    }
  }
  SYNCLINE_DECL void reseal_if_stale(std::string_view integration,
                                     const store::installation_record& row);

  // What the templates above hand to the core, their types erased.
  SYNCLINE_DECL result<void> install_erased(const detail::integration_spec& spec,
                                            std::shared_ptr<detail::installation> inst,
                                            std::vector<std::string> secrets, std::string settings,
                                            std::optional<std::string> sealed_credentials);
  SYNCLINE_DECL void add_secret_source(const std::string& owner,
                                       std::function<std::vector<secret>()> current);
  SYNCLINE_DECL result<emit_receipt> submit_event(trigger_kind kind, std::string_view tenant_id,
                                                  std::string_view name, const void* type,
                                                  std::string_view type_label, std::string payload,
                                                  std::string_view dedupe_key, bool check_json);
  SYNCLINE_DECL boost::asio::awaitable<result<emit_receipt>> async_submit_event(
      trigger_kind kind, std::string tenant_id, std::string name, const void* type,
      std::string type_label, std::string payload, std::string dedupe_key);

  std::unique_ptr<detail::engine_core> core_;
};

}  // namespace syncline

#if SYNCLINE_HEADER_ONLY
#include <syncline/runtime/impl/engine.ipp>
#endif
