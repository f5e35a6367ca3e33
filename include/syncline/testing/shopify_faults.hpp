// testing::request_faults and testing::webhook_faults: the failures the emulator injects on
// purpose, per shop, so that an integration's recovery paths run in tests. Counters ("the next
// N") give deterministic tests; rates give soak runs (seeded, so a failing run can be replayed).
#pragma once

#include <chrono>

namespace syncline::testing {

// Faults on the Admin API (REST and GraphQL) of one shop.
struct request_faults {
  // Answer the next N authenticated-or-not API requests with `fail_status` before doing anything.
  unsigned fail_next = 0;
  unsigned fail_status = 503;  // 500 or 503 are the realistic ones
  // Retry-After sent with an injected failure; zero sends none.
  std::chrono::seconds fail_retry_after{0};
  // Create the order of each of the next N creates (REST POST orders.json or GraphQL orderCreate),
  // fire its webhooks, then close the connection without answering: the client cannot know
  // whether its create happened. This is what lost-answer recovery must survive.
  unsigned lose_next_create_answers = 0;
  // Refuse each of the next N webhookSubscriptionCreate calls with the userError Shopify gives an
  // app that lacks access to protected customer data ("You do not have permission to create or
  // update webhooks with orders/create topic. ..."): how a refused subscription looks.
  unsigned refuse_next_webhook_subscriptions = 0;
};

// Faults on webhook deliveries of one shop. A duplicate carries the same X-Shopify-Webhook-Id
// as its original, exactly as Shopify's own duplicates do (that is why dedupe on it works).
struct webhook_faults {
  unsigned duplicate_next = 0;  // send each of the next N deliveries twice
  unsigned wrong_signature_next =
      0;                    // sign the next N deliveries with a key that is not the secret
  unsigned delay_next = 0;  // hold each of the next N deliveries back by `delay`
  std::chrono::milliseconds delay{1000};  // not scaled by the retry time scale
  // Hold the next N deliveries and release them together, newest first, once the N-th arrives
  // (or when the queue is flushed).
  unsigned reorder_next = 0;

  // Probabilities in [0, 1] applied to every delivery, for soak runs of the executable.
  double duplicate_rate = 0;
  double wrong_signature_rate = 0;
  double delay_rate = 0;
};

}  // namespace syncline::testing
