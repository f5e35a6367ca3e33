// The engine's one delivery gate: every delivery from outside, a webhook of an installed app
// (POST /webhooks/{app}/{topic}) or an event of your platform (POST /events/{event}, the
// platform being an app whose deliveries are signed, signed_platform.hpp), goes through admit():
//
//   identify once, through the app   (400: malformed, another topic than the URL's, a bad id)
//   look the tenant up once          (one shared lock of the registry; 404: nobody listens)
//   verify once per installation     (401: unknown tenant or bad signature; the platform's
//                                     secret is the engine's, so once in all)
//   fan out to every workflow of the topic in every verified installation
//   submit once through the intake   (200 once every run is committed; 503 when the queue is
//                                     full; redeliveries are duplicates, without a new run)
//
// A delivery of the app's uninstall topic also uninstalls each installation it verified with,
// whether or not a workflow listens; a repeated one verifies with the retired credentials and
// changes nothing. How a delivery is authenticated belongs to its app (app_deliveries.hpp), never
// to a workflow: a webhook trigger is a topic and a payload type. Stands on the engine context,
// the registry and the intake; uninstalling, which only the engine core can do, is handed in.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/dedupe_key.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/intake.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/detail/signed_platform.hpp>
#include <syncline/runtime/emit_receipt.hpp>
#include <syncline/runtime/metrics.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::detail {

class delivery_gate {
 public:
  // Uninstalls a tenant of an integration (an app's uninstall notice). Called on the store
  // thread: it writes to the store.
  using uninstall_function =
      std::function<result<void>(std::string_view integration, std::string_view tenant)>;

  delivery_gate(engine_context& ctx, const registry& reg, intake& in, uninstall_function uninstall)
      : ctx_(ctx), registry_(reg), intake_(in), uninstall_(std::move(uninstall)) {
    const auto& opts = ctx_.opts();
    if (!opts.event_signing_secret.empty()) {
      platform_.emplace(
          platform_sender{signed_platform::deliveries(),
                          {data_stream::verifier(opts.event_signing_secret, {opts.event_tolerance}),
                           [&ctx] { return ctx.now(); }}});
    }
  }

  delivery_gate(const delivery_gate&) = delete;
  delivery_gate& operator=(const delivery_gate&) = delete;

  // A webhook of the installed app named `app`, posted to the URL of `topic`.
  boost::asio::awaitable<result<emit_receipt>> admit_webhook(std::string_view app,
                                                             std::string_view topic,
                                                             const inbound_delivery& delivery) {
    co_return co_await admit(app, nullptr, topic, delivery);
  }

  // An app event of your platform, posted to the URL of `event`.
  boost::asio::awaitable<result<emit_receipt>> admit_event(std::string_view event,
                                                           const inbound_delivery& delivery) {
    if (!platform_) {
      ctx_.metrics().rejected(rejection::not_found);
      co_return make_error(errc::not_found,
                           "app events over HTTP are not enabled (no event_signing_secret)");
    }
    co_return co_await admit(signed_platform::name, &*platform_, event, delivery);
  }

 private:
  // Your platform: its reader and its credentials are the engine's, not an installation's.
  struct platform_sender {
    app_deliveries reader;
    signed_platform::credentials credentials;
  };

  // What one look at the registry found for a delivery.
  struct lookup {
    app_deliveries reader;
    bool listened = false;  // some installed workflow listens to the topic, whatever the tenant
    result<delivery_identity> id = make_error(errc::internal, "the delivery was not identified");
    // The installations the delivery names, and for each the workflows of its topic.
    struct named {
      std::shared_ptr<installation> inst;
      std::vector<const runner*> listeners;
      bool retired = false;  // uninstalled: only an uninstall notice may still verify with it
      bool uninstalls = false;
    };
    std::vector<named> installations;
  };

  boost::asio::awaitable<result<emit_receipt>> admit(std::string_view app,
                                                     const platform_sender* platform,
                                                     std::string_view topic,
                                                     const inbound_delivery& delivery) {
    intake::guard held = intake_.hold();
    auto& metrics = ctx_.metrics();
    if (ctx_.broken()) co_return *ctx_.broken();
    lookup found = look_up(app, platform ? &platform->reader : nullptr, topic, delivery);
    const app_deliveries& reader = found.reader;
    const bool uninstall_topic = reader.uninstalls_on(topic);
    if (!reader.identify || (!found.listened && !uninstall_topic)) {
      metrics.rejected(rejection::not_found);
      co_return make_error(
          errc::not_found,
          reader.starts == trigger_kind::app_event
              ? "no installed workflow listens to event \"" + std::string(topic) + "\""
              : std::string("no installed workflow listens to this webhook topic"));
    }
    if (auto ok = check_identity(found.id, reader, topic); !ok) {
      metrics.rejected(rejection::bad_request);
      co_return std::move(ok).error();
    }
    const delivery_identity& id = *found.id;

    // Verify once per installation; the platform's one secret once in all.
    bool authenticated = false;
    if (platform) {
      auto ok = reader.verify(delivery, &platform->credentials);
      if (!ok) {
        metrics.rejected(rejection::unauthorized);
        co_return std::move(ok).error();
      }
      authenticated = true;
    } else {
      std::erase_if(found.installations, [&](const lookup::named& n) {
        return !reader.verify(delivery, n.inst->credentials());
      });
      authenticated = !found.installations.empty();
    }
    if (!authenticated) {
      // Answered alike for an unknown tenant and a bad signature: without the tenant's secret
      // the delivery cannot be authenticated, and a prober learns nothing of who is installed.
      metrics.rejected(rejection::unauthorized);
      co_return make_error(errc::unauthorized,
                           "the delivery could not be authenticated (unknown tenant or bad "
                           "signature)");
    }

    // Every workflow of the topic in every verified, active installation: one submit.
    std::vector<planned_run> planned;
    for (const auto& n : found.installations) {
      if (n.retired) continue;
      for (const runner* r : n.listeners) {
        if (reader.checks_payload) {
          if (auto ok = r->check_payload(delivery.body); !ok) {
            metrics.rejected(rejection::bad_request);
            co_return std::move(ok).error();
          }
        }
        planned.push_back(
            {r, make_run(*r, n.inst->tenant, id.dedupe_key, std::string(delivery.body))});
      }
    }
    auto out = co_await intake_.submit_async(std::move(planned));
    if (!out) {
      ctx_.log(log_level::warn, "delivery not queued",
               {{"app", std::string(app)},
                {"topic", std::string(topic)},
                {"tenant", id.tenant_key},
                {"error", to_string(out.error())}});
      co_return out;
    }
    if (uninstall_topic) co_await uninstall(found, topic);
    co_return out;
  }

  // The one look at the registry: the app's reader, the identity, and the installations it
  // names with their workflows of the topic. identify only reads headers, so it runs under the
  // shared lock; verify (the HMAC) does not.
  lookup look_up(std::string_view app, const app_deliveries* platform_reader,
                 std::string_view topic, const inbound_delivery& delivery) const {
    lookup out;
    registry_.read([&](const registry::entries& integrations) {
      if (platform_reader) {
        out.reader = *platform_reader;
      } else {
        for (const auto& [name, entry] : integrations) {
          if (entry.app == app && entry.deliveries.identify) {
            out.reader = entry.deliveries;
            break;
          }
        }
      }
      const app_deliveries& reader = out.reader;
      if (!reader.identify) return;
      auto listens = [&](const runner& r) {
        return r.kind == reader.starts && r.trigger_app == app && r.trigger == topic;
      };
      for (const auto& [name, entry] : integrations)
        for (const auto& r : entry.runners) out.listened = out.listened || listens(*r);
      const bool uninstall_topic = reader.uninstalls_on(topic);
      if (!out.listened && !uninstall_topic) return;
      out.id = reader.identify(delivery);
      if (!out.id) return;
      const std::string& key = out.id->tenant_key;
      for (const auto& [name, entry] : integrations) {
        const bool uninstalls = uninstall_topic && entry.app == app;
        lookup::named n{find_tenant(entry, reader, key), {}, false, uninstalls};
        if (n.inst) {
          for (const auto& r : entry.runners)
            if (listens(*r)) n.listeners.push_back(r.get());
          if (!n.listeners.empty() || uninstalls) out.installations.push_back(std::move(n));
        } else if (uninstalls) {
          for (const auto& [tenant, inst] : entry.retired)
            if (inst->tenant_key == key) out.installations.push_back({inst, {}, true, false});
        }
      }
    });
    return out;
  }

  static std::shared_ptr<installation> find_tenant(const integration_entry& entry,
                                                   const app_deliveries& reader,
                                                   std::string_view key) {
    std::string_view tenant = key;
    if (!reader.tenant_key_is_id) {
      auto k = entry.by_key.find(key);
      if (k == entry.by_key.end()) return nullptr;
      tenant = k->second;
    }
    auto t = entry.tenants.find(tenant);
    return t == entry.tenants.end() || !t->second->active ? nullptr : t->second;
  }

  // A delivery that says it carries another topic than the URL's is refused: a signed delivery
  // of one topic cannot be replayed as another. Its dedupe key is stored with its runs and
  // shown by every reader of the run log, so it is checked as it comes in.
  static result<void> check_identity(const result<delivery_identity>& id,
                                     const app_deliveries& reader, std::string_view topic) {
    if (!id) return id.error();
    if (!id->topic.empty() && id->topic != topic) {
      return make_error(errc::invalid_input,
                        "the delivery carries topic " + json::detail::quoted(id->topic, 64) +
                            " but was posted to the URL of " + std::string(topic));
    }
    return check_dedupe_key(id->dedupe_key, reader.dedupe_key_name);
  }

  boost::asio::awaitable<void> uninstall(const lookup& found, std::string_view topic) {
    for (const auto& n : found.installations) {
      if (!n.uninstalls) continue;
      const installation& inst = *n.inst;
      ctx_.log(log_level::info, "uninstall notice received",
               {{"integration", inst.integration},
                {"tenant", inst.tenant},
                {"topic", std::string(topic)}});
      // Off the I/O thread: uninstall writes to the store.
      auto r = co_await ctx_.on_store(
          [this, &inst] { return uninstall_(inst.integration, inst.tenant); });
      if (!r) {
        ctx_.log(log_level::warn, "uninstall not recorded in the store",
                 {{"integration", inst.integration},
                  {"tenant", inst.tenant},
                  {"error", to_string(r.error())}});
      }
    }
  }

  engine_context& ctx_;
  const registry& registry_;
  intake& intake_;
  uninstall_function uninstall_;
  std::optional<platform_sender> platform_;
};

}  // namespace syncline::detail
