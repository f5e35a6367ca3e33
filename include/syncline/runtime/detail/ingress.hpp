// The engine's HTTP ingress: the server and its routes. POST /webhooks/{app}/{topic} and POST
// /events/{event} are authenticated here and submitted through the intake, answered 200 only once
// their runs are committed; GET /metrics and GET /healthz report. Stands on the engine context,
// the registry and the intake; what only the engine can do (uninstall, the metrics text) it is
// handed as hooks.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/dedupe_key.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/intake.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/metrics.hpp>

#include <boost/asio/awaitable.hpp>

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

class ingress {
 public:
  struct hooks {
    // Uninstalls a tenant of an integration (an app's uninstall notice). Called off the io
    // threads: it writes to the store.
    std::function<result<void>(std::string_view integration, std::string_view tenant)> uninstall;
    // The Prometheus text of GET /metrics. Called off the io threads: it reads the store.
    std::function<std::string()> metrics_text;
  };

  ingress(engine_context& ctx, const registry& reg, intake& in, hooks h)
      : ctx_(ctx), registry_(reg), intake_(in), hooks_(std::move(h)) {}

  ingress(const ingress&) = delete;
  ingress& operator=(const ingress&) = delete;

  // Starts the server on options().listen.
  result<void> listen() {
    const auto& opts = ctx_.opts();
    server_ = std::make_unique<http::server>(ctx_.io().executor(), opts.server);
    add_routes();
    if (auto r = server_->listen(opts.listen.address, opts.listen.port); !r) {
      ctx_.log(log_level::error, "engine cannot listen",
               {{"address", opts.listen.address}, {"error", to_string(r.error())}});
      server_.reset();
      return r;
    }
    return {};
  }

  // Accepts no more connections.
  void stop() {
    if (server_) server_->stop();
  }

  // Requests already received get their answers (the intake's stop just answered them).
  void drain() {
    for (int i = 0; i < 100 && server_ && server_->connections() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // After the store thread is joined.
  void close() { server_.reset(); }

  std::uint16_t port() const noexcept { return server_ ? server_->port() : 0; }
  std::string url() const { return server_ ? server_->url() : std::string(); }

 private:
  void add_routes() {
    server_->route(http::verb::post, "/webhooks/{app}/{topic...}",
                   [this](http::incoming& req) { return on_webhook(req); });
    server_->route(http::verb::post, "/events/{event}",
                   [this](http::incoming& req) { return on_event(req); });
    server_->route(http::verb::get, "/metrics",
                   [this](http::incoming&) -> boost::asio::awaitable<http::response> {
                     auto text = co_await ctx_.on_store([this] { return hooks_.metrics_text(); });
                     co_return http::make_response(200, std::move(text),
                                                   "text/plain; version=0.0.4");
                   });
    server_->route(http::verb::get, "/healthz",
                   [this](http::incoming&) -> boost::asio::awaitable<http::response> {
                     auto c = co_await ctx_.on_store([this] { return ctx_.store()->counts(); });
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
        res.set(http::field::retry_after, std::to_string(ctx_.opts().retry_after.count()));
        return res;
      }
      case errc::storage: {
        auto res = json_error(503, "the run queue cannot be written; retry later");
        res.set(http::field::retry_after, std::to_string(ctx_.opts().retry_after.count()));
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
    intake::guard held = intake_.hold();
    auto& metrics = ctx_.metrics();
    const std::string app(req.param("app"));
    const std::string topic(req.param("topic"));
    struct target {
      const runner* listener;
      std::string integration;
    };
    std::vector<target> targets;
    app_deliveries app_reader;
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
      metrics.rejected(rejection::not_found);
      co_return json_error(404, "no installed workflow listens to this webhook topic");
    }
    inbound_delivery delivery{[&req](std::string_view name) { return req.header(name); },
                              req.body()};
    auto id = targets.empty() ? app_reader.identify(delivery)
                              : targets.front().listener->identify(delivery);
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
      metrics.rejected(rejection::bad_request);
      co_return json_error(400, id.error().message);
    }
    // The installations named by the delivery, each verified with its own credentials.
    std::vector<std::pair<const runner*, std::shared_ptr<installation>>> verified;
    std::vector<std::shared_ptr<installation>> uninstalling;
    bool already_uninstalled = false;
    registry_.read([&](const registry::entries& integrations) {
      auto lookup = [&](const integration_entry& e) -> std::shared_ptr<installation> {
        auto k = e.by_key.find(id->tenant_key);
        if (k == e.by_key.end()) return nullptr;
        auto t = e.tenants.find(k->second);
        return t == e.tenants.end() ? nullptr : t->second;
      };
      for (const auto& t : targets) {
        auto e = integrations.find(t.integration);
        auto inst = e == integrations.end() ? nullptr : lookup(e->second);
        if (inst && inst->active && t.listener->verify(delivery, *inst))
          verified.emplace_back(t.listener, inst);
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
      metrics.rejected(rejection::unauthorized);
      co_return json_error(401,
                           "the delivery could not be authenticated (unknown tenant or bad "
                           "signature)");
    }
    std::vector<std::int64_t> ids;
    bool all_duplicates = !verified.empty();
    for (const auto& [listener, inst] : verified) {
      planned_run p{listener,
                    make_run(*listener, inst->tenant, id->dedupe_key, std::string(req.body()))};
      auto r = co_await intake_.enqueue(p);
      if (!r) {
        ctx_.log(log_level::warn, "webhook not queued",
                 {{"app", app},
                  {"topic", topic},
                  {"tenant", inst->tenant},
                  {"error", to_string(r.error())}});
        co_return refuse(r.error());
      }
      ids.push_back(r->run_id);
      all_duplicates = all_duplicates && r->duplicate;
    }
    if (!ids.empty()) intake_.wake();
    for (const auto& inst : uninstalling) {
      ctx_.log(log_level::info, "uninstall notice received",
               {{"integration", inst->integration}, {"tenant", inst->tenant}, {"topic", topic}});
      // Off the I/O thread: uninstall writes to the store.
      auto r = co_await ctx_.on_store(
          [this, i = inst.get()] { return hooks_.uninstall(i->integration, i->tenant); });
      if (!r) {
        ctx_.log(log_level::warn, "uninstall not recorded in the store",
                 {{"integration", inst->integration},
                  {"tenant", inst->tenant},
                  {"error", to_string(r.error())}});
      }
    }
    co_return accepted(ids, all_duplicates);
  }

  // POST /events/{event}: an app event of your platform over HTTP, signed like the data stream.
  boost::asio::awaitable<http::response> on_event(http::incoming& req) {
    intake::guard held = intake_.hold();
    const auto& opts = ctx_.opts();
    auto& metrics = ctx_.metrics();
    if (opts.event_signing_secret.empty()) {
      metrics.rejected(rejection::not_found);
      co_return json_error(404, "app events over HTTP are not enabled (no event_signing_secret)");
    }
    const data_stream::verifier verifier(opts.event_signing_secret, {opts.event_tolerance});
    auto ok = verifier.verify(req.body(), req.header(data_stream::signature_header),
                              req.header(data_stream::timestamp_header), ctx_.now());
    if (!ok) {
      metrics.rejected(rejection::unauthorized);
      co_return json_error(401, ok.error().message);
    }
    const std::string tenant_id(req.header(data_stream::tenant_header));
    if (tenant_id.empty()) {
      metrics.rejected(rejection::bad_request);
      co_return json_error(400, std::string(data_stream::tenant_header) + " header is missing");
    }
    const std::string_view key = req.header(data_stream::idempotency_key_header);
    if (auto ok = check_dedupe_key(key, data_stream::idempotency_key_header); !ok) {
      metrics.rejected(rejection::bad_request);
      co_return json_error(400, ok.error().message);
    }
    const std::string event(req.param("event"));
    auto planned = intake_.plan(trigger_kind::app_event, tenant_id, event, nullptr, {},
                                std::string(req.body()), key, true);
    if (!planned) {
      if (planned.error().category != errc::not_found) metrics.rejected(rejection::bad_request);
      co_return refuse(planned.error());
    }
    auto out = co_await intake_.submit_async(std::move(*planned));
    if (!out) co_return refuse(out.error());
    std::vector<std::int64_t> ids;
    bool all_duplicates = !out->runs.empty();
    for (const auto& r : out->runs) {
      ids.push_back(r.run_id);
      all_duplicates = all_duplicates && r.duplicate;
    }
    co_return accepted(ids, all_duplicates);
  }

  engine_context& ctx_;
  const registry& registry_;
  intake& intake_;
  hooks hooks_;
  std::unique_ptr<http::server> server_;
};

}  // namespace syncline::detail
