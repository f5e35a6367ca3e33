// Your platform as an app whose deliveries are signed, like Shopify's: POST /events/{event} is a
// delivery of the platform, read and authenticated by these identify/verify (core/delivery.hpp)
// and admitted by the same delivery gate as every webhook. Its deliveries are signed like the
// data stream (http/data_stream_signature.hpp) with engine_options::event_signing_secret, one
// secret for every tenant, name the tenant by its id (X-Syncline-Tenant) and are deduped on
// X-Syncline-Idempotency-Key.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>

namespace syncline::detail {

struct signed_platform {
  static constexpr std::string_view name = platform::name;

  // The engine's, not a tenant's: one signing secret for every tenant, and the clock the
  // timestamp's tolerance is measured with.
  struct credentials {
    data_stream::verifier verifier;
    std::function<std::chrono::system_clock::time_point()> now;
  };

  // tenant = X-Syncline-Tenant (the tenant's id), dedupe key = X-Syncline-Idempotency-Key; the
  // URL names the event. A missing tenant is errc::invalid_input (400).
  static result<delivery_identity> identify(const inbound_delivery& d) {
    std::string tenant(d.header(data_stream::tenant_header));
    if (tenant.empty()) {
      return make_error(errc::invalid_input,
                        std::string(data_stream::tenant_header) + " header is missing");
    }
    return delivery_identity{std::move(tenant),
                             std::string(d.header(data_stream::idempotency_key_header))};
  }

  // X-Syncline-Signature over the timestamp and the raw body (errc::unauthorized -> 401, with
  // the verifier's reason: the secret is the engine's, so the reason tells nothing of tenants).
  static result<void> verify(const inbound_delivery& d, const credentials& c) {
    return c.verifier.verify(d.body, d.header(data_stream::signature_header),
                             d.header(data_stream::timestamp_header), c.now());
  }

  // How the gate reads them: they start app_event triggers, name the tenant by its id, and a
  // body that does not decode is refused at the door (the sender is your own code).
  static app_deliveries deliveries() {
    app_deliveries d = app_deliveries::of<signed_platform>();
    d.starts = trigger_kind::app_event;
    d.tenant_key_is_id = true;
    d.dedupe_key_name = data_stream::idempotency_key_header;
    d.checks_payload = true;
    return d;
  }
};

}  // namespace syncline::detail
