// The engine's HTTP ingress: the server and its routes. POST /webhooks/{app}/{topic} and POST
// /events/{event} go through the delivery gate (delivery_gate.hpp), the one way in for a
// delivery, and are answered 200 only once their runs are committed; GET /metrics and GET
// /healthz report. Stands on the engine context, the registry and the intake; what only the
// engine can do (uninstall, the metrics text) it is handed as hooks.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/json_answer.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/runtime/detail/delivery_gate.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/ingress_answers.hpp>
#include <syncline/runtime/detail/intake.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/emit_receipt.hpp>
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
      : ctx_(ctx), hooks_(std::move(h)), gate_(ctx, reg, in, hooks_.uninstall) {}

  ingress(const ingress&) = delete;
  ingress& operator=(const ingress&) = delete;

  // A route of the application's beside the engine's own (an install callback): served from the
  // next listen().
  void add_route(http::verb method, std::string pattern, http::handler h) {
    extra_routes_.push_back({method, std::move(pattern), std::move(h)});
  }

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
    for (auto& r : extra_routes_) server_->route(r.method, r.pattern, r.target);
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
                     static const std::string ok = json::encode(health_answer{"ok"});
                     static const std::string down =
                         json::encode(health_answer{"store unavailable"});
                     auto c = co_await ctx_.on_store([this] { return ctx_.store()->counts(); });
                     co_return c ? http::make_response(200, ok) : http::make_response(503, down);
                   });
  }

  static http::response json_error(unsigned status, std::string message) {
    return http::json_response(status, http::error_answer{std::move(message)});
  }

  // 503 with Retry-After; its body is constant (it is sent most when the engine is busiest).
  http::response busy(const std::string& body) const {
    auto res = http::make_response(503, body);
    res.set(http::field::retry_after, std::to_string(ctx_.opts().retry_after.count()));
    return res;
  }

  http::response refuse(const ::syncline::error& e) const {
    static const std::string queue_full =
        json::encode(http::error_answer{"the run queue is full; retry later"});
    static const std::string queue_broken =
        json::encode(http::error_answer{"the run queue cannot be written; retry later"});
    switch (e.category) {
      case errc::unavailable: return busy(queue_full);
      case errc::storage: return busy(queue_broken);
      case errc::not_found: return json_error(404, e.message);
      case errc::unauthorized: return json_error(401, e.message);
      case errc::invalid_input:
      case errc::decode:
      case errc::limit_exceeded: return json_error(400, e.message);
      default: return json_error(500, "internal error");
    }
  }

  // POST /webhooks/{app}/{topic} and POST /events/{event}: the delivery gate admits them
  // (delivery_gate.hpp says how each is refused); 200 only once their runs are committed.
  boost::asio::awaitable<http::response> on_webhook(http::incoming& req) {
    co_return answer(
        co_await gate_.admit_webhook(req.param("app"), req.param("topic"), delivery_of(req)));
  }

  boost::asio::awaitable<http::response> on_event(http::incoming& req) {
    co_return answer(co_await gate_.admit_event(req.param("event"), delivery_of(req)));
  }

  static inbound_delivery delivery_of(http::incoming& req) {
    return {[&req](std::string_view name) { return req.header(name); }, req.body()};
  }

  http::response answer(const result<emit_receipt>& out) const {
    if (!out) return refuse(out.error());
    delivery_answer a;
    a.runs.reserve(out->runs.size());
    bool all_duplicates = !out->runs.empty();
    for (const auto& r : out->runs) {
      a.runs.push_back(r.run_id);
      all_duplicates = all_duplicates && r.duplicate;
    }
    a.status = all_duplicates ? delivery_status::duplicate : delivery_status::accepted;
    return http::json_response(200, a);
  }

  engine_context& ctx_;
  hooks hooks_;
  delivery_gate gate_;
  std::unique_ptr<http::server> server_;
  struct extra_route {
    http::verb method;
    std::string pattern;
    http::handler target;
  };
  std::vector<extra_route> extra_routes_;
};

}  // namespace syncline::detail
