// testing::webhook_request: the POST Shopify sends for one webhook delivery — origin-form target
// and Host from the delivery's address, every X-Shopify header, the signed body.
#pragma once

#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>
#include <syncline/testing/webhook_delivery.hpp>

namespace syncline::testing {

inline http::request webhook_request(const webhook_delivery& d) {
  http::request req{http::verb::post, "/", 11};
  if (auto u = http::parse_url(d.address)) {
    req.target(u->target);
    req.set(http::field::host, u->authority());
  }
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "Shopify-Captain-Hook");
  req.set("X-Shopify-Topic", d.topic);
  req.set("X-Shopify-Hmac-Sha256", d.hmac);
  req.set("X-Shopify-Shop-Domain", d.shop_domain);
  req.set("X-Shopify-API-Version", d.api_version);
  req.set("X-Shopify-Webhook-Id", d.webhook_id);
  req.set("X-Shopify-Event-Id", d.event_id);
  req.set("X-Shopify-Triggered-At", d.triggered_at);
  if (!d.subscription_name.empty()) req.set("X-Shopify-Name", d.subscription_name);
  req.body() = d.body;
  req.prepare_payload();
  return req;
}

}  // namespace syncline::testing
