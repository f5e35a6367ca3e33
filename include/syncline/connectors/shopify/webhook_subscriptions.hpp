// Shopify webhook subscriptions that an integration's triggers need, created and reconciled
// through the Admin GraphQL API (webhookSubscriptions, webhookSubscriptionCreate/Delete).
//
//   constexpr auto topics = shopify::webhook_topics_of<decltype(shopify_sync)>();
//   auto plan = shopify::subscription_plan_for<decltype(shopify_sync)>("https://sync.example");
//   auto report = co_await shopify::reconcile_webhook_subscriptions(api, plan);
//
// Every subscription whose callback is under the plan's callback_base is syncline's: the engine
// serves POST {callback_base}/webhooks/shopify/{topic}. Those of a topic no trigger needs any
// more are deleted; subscriptions to other URLs (the application's own, another app's) are left
// alone. The privacy topics (customers/data_request, customers/redact, shop/redact) are not
// subscriptions on Shopify: the app's configuration declares where they go, and the API refuses
// them. A plan that holds one lists it as `configured` and creates nothing for it.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace syncline::shopify {

// Only named here; the bodies (impl/*.ipp) include admin_api.hpp and with it Asio, so a TU
// that only asks for webhook_topics_of parses no Asio.
class admin_api;

namespace detail {

// The Shopify topic a workflow's trigger listens to, or "" for any other trigger.
template <class W>
constexpr std::string_view shopify_topic_of_trigger() noexcept {
  using T = typename W::trigger_type;
  if constexpr (T::kind == trigger_kind::webhook && std::is_same_v<typename T::app_type, app>)
    return T::name;
  else
    return {};
}

template <class Integration>
struct integration_webhook_topics {
  static_assert(sizeof(Integration) == 0,
                "syncline: shopify::webhook_topics_of<I>: I must be the type of an integration, "
                "e.g. decltype(my_integration) of constexpr auto my_integration = "
                "syncline::integration<\"name\", shopify::app>(...)");
};

template <fixed_string Name, class App, class... W>
struct integration_webhook_topics<integration_definition<Name, App, W...>> {
  using integration_type = integration_definition<Name, App, W...>;

  // Sorted, "" where a workflow has no Shopify webhook trigger or is a retired version (a
  // retired version starts no new event: its topic needs no subscription of its own).
  static constexpr std::array<std::string_view, sizeof...(W)> sorted = [] {
    std::array<std::string_view, sizeof...(W)> t{shopify_topic_of_trigger<W>()...};
    for (std::size_t k = 0; k != t.size(); ++k)
      if (!integration_type::is_live(k)) t[k] = {};
    std::sort(t.begin(), t.end());
    return t;
  }();

  static constexpr std::size_t count = [] {
    std::size_t n = 0;
    for (std::size_t k = 0; k != sorted.size(); ++k)
      if (!sorted[k].empty() && (k == 0 || sorted[k] != sorted[k - 1])) ++n;
    return n;
  }();

  static constexpr std::array<std::string_view, count> value = [] {
    std::array<std::string_view, count> out{};
    std::size_t n = 0;
    for (std::size_t k = 0; k != sorted.size(); ++k)
      if (!sorted[k].empty() && (k == 0 || sorted[k] != sorted[k - 1])) out[n++] = sorted[k];
    return out;
  }();
};

}  // namespace detail

// The Shopify webhook topics the live workflows of an integration listen to (shopify::webhook
// triggers), sorted and unique: a constant expression.
template <class Integration>
constexpr auto webhook_topics_of() {
  return detail::integration_webhook_topics<std::remove_cvref_t<Integration>>::value;
}

// "orders/create" -> "ORDERS_CREATE", Shopify's WebhookSubscriptionTopic.
SYNCLINE_DECL std::string topic_enum(std::string_view topic);
// "ORDERS_CREATE" -> "orders/create". The enum alone does not say where the '/' goes
// (APP_SCOPES_UPDATE is app/scopes_update, ORDER_TRANSACTIONS_CREATE is
// order_transactions/create), so only the topics Shopify has and syncline knows are answered;
// another is errc::not_found.
SYNCLINE_DECL result<std::string> topic_of_enum(std::string_view e);

// What must exist in a shop: a subscription of each topic to
// callback_base + "/webhooks/shopify/" + topic (the engine's route).
struct subscription_plan {
  std::vector<std::string> topics;  // what must exist
  std::string callback_base;        // the engine's public URL, "https://sync.example"
};

// The topics of the integrations and the app's uninstall notice (app/uninstalled), which the
// engine acts on whether or not a workflow listens to it. Name every integration the shop has
// installed on this engine: they share the engine's route, so a plan that left one out would
// remove that one's subscriptions.
template <class... Integrations>
subscription_plan subscription_plan_for(std::string callback_base) {
  static_assert(sizeof...(Integrations) > 0,
                "syncline: shopify::subscription_plan_for<I...>: name the integrations, e.g. "
                "subscription_plan_for<decltype(my_integration)>(url)");
  subscription_plan plan{{std::string(app::uninstall_topic)}, std::move(callback_base)};
  const auto add = [&plan](const auto& topics) {
    for (std::string_view t : topics) plan.topics.emplace_back(t);
  };
  (add(webhook_topics_of<Integrations>()), ...);
  std::sort(plan.topics.begin(), plan.topics.end());
  plan.topics.erase(std::unique(plan.topics.begin(), plan.topics.end()), plan.topics.end());
  return plan;
}

// What a reconciliation did, by topic, each list sorted.
struct subscription_report {
  std::vector<std::string> created;  // missing: created
  std::vector<std::string> removed;  // under callback_base, of a topic the plan does not hold
  std::vector<std::string> kept;     // already right
  // Under callback_base at another URL than the engine's route for its topic: a subscription
  // to the right URL was created, then the old one deleted (in neither created nor removed).
  std::vector<std::string> replaced;
  // Privacy topics of the plan: declared in the app's configuration, not through the API.
  std::vector<std::string> configured;
};

// Lists the shop's subscriptions (all pages), creates the missing ones, deletes those under
// callback_base whose topic is not in the plan, and keeps the rest; a subscription of a needed
// topic at another URL under callback_base is replaced. Idempotent: a second call creates and
// removes nothing. A plan with an empty or malformed callback_base, or a malformed topic, is
// errc::invalid_input before anything is called. Shopify's userErrors are errc::invalid_input
// naming the shop, each refused topic and Shopify's message; the other topics are still
// reconciled (and the message says what was done), and an old subscription whose replacement
// was refused is kept. Transport errors are admin_api's, returned at once.
SYNCLINE_DECL awaitable<result<subscription_report>> reconcile_webhook_subscriptions(
    admin_api& api, const subscription_plan& plan);

// Deletes every subscription under callback_base (an uninstall by API call, or an engine that
// moved to a new public URL); returns how many there were.
SYNCLINE_DECL awaitable<result<std::size_t>> remove_webhook_subscriptions(
    admin_api& api, std::string callback_base);

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/webhook_subscriptions.ipp>
#endif
