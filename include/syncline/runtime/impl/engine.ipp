// syncline::engine's non-template members: each hands its call to detail::engine_core.
#pragma once

#include <syncline/runtime/detail/engine_core.hpp>
#include <syncline/runtime/engine.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline {

SYNCLINE_DECL engine::engine(engine_options options)
    : core_(std::make_unique<detail::engine_core>(std::move(options))) {}

SYNCLINE_DECL engine::~engine() = default;

SYNCLINE_DECL result<void> engine::install_erased(const detail::integration_spec& spec,
                                                  std::shared_ptr<detail::installation> inst,
                                                  std::vector<std::string> secrets,
                                                  std::string settings,
                                                  std::optional<std::string> sealed_credentials) {
  return core_->install(spec, std::move(inst), std::move(secrets), std::move(settings),
                        std::move(sealed_credentials));
}

SYNCLINE_DECL void engine::reseal_if_stale(std::string_view integration,
                                           const store::installation_record& row) {
  const auto& ring = options().keyring;
  auto key = crypto::sealed_key_id(row.credentials.reveal());
  if (!ring || !key || *key == ring->current_id()) return;
  auto envelope =
      crypto::reseal(*ring, row.credentials.reveal(), detail::credentials_row(integration, row.id));
  store::store* st = durable_store();
  if (!envelope || !st) return;  // it opened a moment ago; the next start tries again
  store::installation_record next = row;
  next.credentials = secret{std::move(*envelope)};
  // Only if nobody changed the row meanwhile (another engine resealed it, or refreshed a token).
  auto r = st->replace_installation(next, row.revision);
  if (!r && r.error().category != errc::conflict) {
    core_->log(log_level::warn, "credentials not resealed with the current key",
               {{"integration", integration},
                {"tenant", row.id},
                {"key", *key},
                {"error", to_string(r.error())}});
  }
}

SYNCLINE_DECL result<void> engine::uninstall(std::string_view integration,
                                             std::string_view tenant_id) {
  return core_->uninstall(integration, tenant_id);
}

SYNCLINE_DECL void engine::add_secret_source(const std::string& owner,
                                             std::function<std::vector<secret>()> current) {
  core_->add_secret_source(owner, std::move(current));
}

SYNCLINE_DECL result<void> engine::route(http::verb method, std::string pattern, http::handler h) {
  return core_->route(method, std::move(pattern), std::move(h));
}

SYNCLINE_DECL void engine::log(log_level level, std::string_view message,
                               std::initializer_list<log_field> fields) {
  core_->log(level, message, fields);
}

SYNCLINE_DECL result<void> engine::start() { return core_->start(); }

SYNCLINE_DECL void engine::stop() { core_->stop(); }

SYNCLINE_DECL bool engine::wait_until_quiet(std::chrono::milliseconds timeout) {
  return core_->wait_until_quiet(timeout);
}

SYNCLINE_DECL result<emit_receipt> engine::submit_event(
    trigger_kind kind, std::string_view tenant_id, std::string_view name, const void* type,
    std::string_view type_label, std::string payload, std::string_view dedupe_key,
    bool check_json) {
  return core_->submit_event(kind, tenant_id, name, type, type_label, std::move(payload),
                             dedupe_key, check_json);
}

SYNCLINE_DECL boost::asio::awaitable<result<emit_receipt>> engine::async_submit_event(
    trigger_kind kind, std::string tenant_id, std::string name, const void* type,
    std::string type_label, std::string payload, std::string dedupe_key) {
  return core_->async_submit_event(kind, std::move(tenant_id), std::move(name), type,
                                   std::move(type_label), std::move(payload), std::move(dedupe_key),
                                   false);
}

SYNCLINE_DECL result<emit_receipt> engine::run_manual_json(std::string_view tenant_id,
                                                           std::string_view workflow,
                                                           std::string json, emit_options options) {
  return core_->submit_event(trigger_kind::manual, tenant_id, workflow, nullptr, {},
                             std::move(json), options.dedupe_key, true);
}

SYNCLINE_DECL result<std::vector<store::run_record>> engine::runs(const store::run_query& query) {
  return core_->runs(query);
}

SYNCLINE_DECL result<store::run_record> engine::run(std::int64_t run_id) {
  return core_->run(run_id);
}

SYNCLINE_DECL result<std::vector<store::block_event_record>> engine::block_events(
    std::int64_t run_id) {
  return core_->block_events(run_id);
}

SYNCLINE_DECL result<std::vector<store::run_record>> engine::dead_letters(
    const store::run_filter& filter, std::size_t limit) {
  return core_->dead_letters(filter, limit);
}

SYNCLINE_DECL result<void> engine::replay(std::int64_t run_id) { return core_->replay(run_id); }

SYNCLINE_DECL result<std::int64_t> engine::replay_all(const store::run_filter& filter) {
  return core_->replay_all(filter);
}

SYNCLINE_DECL result<store::run_counts> engine::counts() { return core_->counts(); }

SYNCLINE_DECL result<store::prune_result> engine::prune() { return core_->prune(); }

SYNCLINE_DECL std::uint16_t engine::port() const noexcept { return core_->port(); }

SYNCLINE_DECL std::string engine::url() const { return core_->url(); }

SYNCLINE_DECL std::string engine::metrics_text() { return core_->metrics_text(); }

SYNCLINE_DECL const engine_metrics& engine::metrics() const noexcept { return core_->metrics(); }

SYNCLINE_DECL store::store* engine::durable_store() noexcept { return core_->durable_store(); }

SYNCLINE_DECL boost::asio::any_io_executor engine::executor() noexcept { return core_->executor(); }

SYNCLINE_DECL const engine_options& engine::options() const noexcept { return core_->options(); }

}  // namespace syncline
