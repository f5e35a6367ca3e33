// The bodies of shopify::reconcile_webhook_subscriptions and its helpers. Compiled once in
// separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/order_queries.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/topics.hpp>
#include <syncline/connectors/shopify/webhook_subscriptions.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/detail/quote.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace syncline::shopify {

namespace detail {

// A subscription as webhookSubscriptions lists it; `callback` is an alias of uri (or of
// callbackUrl before 2025-10).
struct listed_webhook_subscription {
  std::string id{};
  std::string topic{};  // WebhookSubscriptionTopic: "ORDERS_CREATE"
  std::string callback{};
};
BOOST_DESCRIBE_STRUCT(listed_webhook_subscription, (), (id, topic, callback))

struct webhook_subscription_page {
  std::vector<listed_webhook_subscription> nodes{};
  graphql::page_info pageInfo{};
};
BOOST_DESCRIBE_STRUCT(webhook_subscription_page, (), (nodes, pageInfo))

// Shopify topics whose enum syncline reads back: the modelled ones and the common others a
// shop's subscriptions may hold.
inline constexpr std::string_view known_shopify_topics[] = {
    "app/scopes_update",
    "app/uninstalled",
    "carts/create",
    "carts/update",
    "checkouts/create",
    "checkouts/delete",
    "checkouts/update",
    "collections/create",
    "collections/delete",
    "collections/update",
    "customers/create",
    "customers/data_request",
    "customers/delete",
    "customers/disable",
    "customers/enable",
    "customers/redact",
    "customers/update",
    "draft_orders/create",
    "draft_orders/delete",
    "draft_orders/update",
    "fulfillment_orders/cancelled",
    "fulfillments/create",
    "fulfillments/update",
    "inventory_items/create",
    "inventory_items/delete",
    "inventory_items/update",
    "inventory_levels/connect",
    "inventory_levels/disconnect",
    "inventory_levels/update",
    "order_transactions/create",
    "orders/cancelled",
    "orders/create",
    "orders/delete",
    "orders/edited",
    "orders/fulfilled",
    "orders/paid",
    "orders/partially_fulfilled",
    "orders/updated",
    "products/create",
    "products/delete",
    "products/update",
    "refunds/create",
    "shop/redact",
    "shop/update",
};

// Shopify's WebhookSubscriptionInput takes `uri` from 2025-10 on; `callbackUrl` (deprecated
// since) is what earlier versions have.
inline std::string_view callback_field(std::string_view api_version) {
  return api_version == "unstable" || api_version >= "2025-10" ? "uri" : "callbackUrl";
}

// "orders/create", "draft_orders/update": lower-case words, one '/'.
inline bool well_formed_topic(std::string_view t) {
  const auto slash = t.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == t.size() ||
      t.find('/', slash + 1) != std::string_view::npos)
    return false;
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || c == '/'; });
}

// The callback base without a trailing '/'; an error unless it is an http(s) URL without a
// query (the engine's route is appended to it).
inline result<std::string> callback_base_of(std::string_view text, const std::string& shop) {
  std::string base(text);
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto parsed = http::parse_url(base);
  if (!parsed || !parsed->query().empty() || base.find('#') != std::string::npos) {
    return make_error(errc::invalid_input,
                      "webhook subscriptions of " + shop +
                          ": callback_base must be the engine's public http(s) URL without a "
                          "query, e.g. \"https://sync.example\"" +
                          (parsed ? std::string{} : " (" + parsed.error().message + ")"));
  }
  return base;
}

// Whether `url` is at `base` or below it ("https://a.example/x" is not below "https://a.ex").
inline bool under(std::string_view url, std::string_view base) {
  return url.starts_with(base) &&
         (url.size() == base.size() || url[base.size()] == '/' || url[base.size()] == '?');
}

inline std::string callback_of(std::string_view base, std::string_view topic) {
  std::string url(base);
  url.append("/webhooks/shopify/").append(topic);
  return url;
}

// A listed subscription's topic as a person reads it: "orders/create", or the enum when
// syncline does not know where its '/' goes.
inline std::string readable_topic(std::string_view e) {
  auto t = topic_of_enum(e);
  return t ? std::move(*t) : std::string(e);
}

inline std::string joined(const std::vector<std::string>& topics) {
  std::string out;
  for (const auto& t : topics) out.append(out.empty() ? "" : ", ").append(t);
  return out;
}

inline boost::asio::awaitable<result<std::vector<listed_webhook_subscription>>>
list_webhook_subscriptions(admin_api& api) {
  const std::string query =
      "query SynclineWebhookSubscriptions($first: Int!, $after: String) {\n"
      "  webhookSubscriptions(first: $first, after: $after) {\n"
      "    nodes { id topic callback: " +
      std::string(callback_field(api.creds().api_version)) +
      " }\n"
      "    pageInfo { hasNextPage endCursor }\n"
      "  }\n"
      "}";
  constexpr int per_page = 100;
  std::vector<listed_webhook_subscription> all;
  std::optional<std::string> after;
  for (;;) {
    boost::json::object vars{{"first", per_page}};
    if (after) vars["after"] = *after;
    auto data = co_await api.graphql("webhookSubscriptions", query, std::move(vars), repeat::safe,
                                     2 + per_page);
    if (!data) co_return std::move(data).error();
    auto page = decode_at<webhook_subscription_page>(member(*data, "webhookSubscriptions"),
                                                     "webhookSubscriptions: ");
    if (!page) co_return std::move(page).error();
    for (auto& s : page->nodes) all.push_back(std::move(s));
    if (!page->pageInfo.hasNextPage || !page->pageInfo.endCursor) break;
    after = std::move(page->pageInfo.endCursor);
  }
  co_return all;
}

// Creates one subscription; a refusal (userErrors) is errc::invalid_input with Shopify's words.
// Not repeated after a lost answer (it may have been made): reconciling again finds it.
inline boost::asio::awaitable<result<void>> create_webhook_subscription(admin_api& api,
                                                                        std::string_view topic,
                                                                        const std::string& url) {
  static const std::string mutation =
      "mutation SynclineWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, "
      "$subscription: WebhookSubscriptionInput!) {\n"
      "  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {\n"
      "    webhookSubscription { id }\n"
      "    userErrors { field message }\n"
      "  }\n"
      "}";
  boost::json::object input{{callback_field(api.creds().api_version), url}, {"format", "JSON"}};
  boost::json::object vars{{"topic", topic_enum(topic)}, {"subscription", std::move(input)}};
  auto data = co_await api.graphql("webhookSubscriptionCreate", mutation, std::move(vars),
                                   repeat::unsafe, 10);
  if (!data) co_return std::move(data).error();
  const auto& payload = member(*data, "webhookSubscriptionCreate");
  if (!payload.is_object())
    co_return make_error(errc::decode,
                         "GraphQL webhookSubscriptionCreate: answer without "
                         "webhookSubscriptionCreate");
  auto errors = decode_at<std::vector<graphql_user_error>>(
      member(payload.get_object(), "userErrors"), "webhookSubscriptionCreate.userErrors");
  if (!errors) co_return std::move(errors).error();
  if (!errors->empty()) co_return make_error(errc::invalid_input, describe_user_errors(*errors));
  if (!member(payload.get_object(), "webhookSubscription").is_object())
    co_return make_error(errc::decode,
                         "GraphQL webhookSubscriptionCreate: no subscription and no userErrors");
  co_return result<void>{};
}

// Deletes one subscription. One that no longer exists (a retry after a lost answer, or someone
// deleted it meanwhile) counts as deleted.
inline boost::asio::awaitable<result<void>> delete_webhook_subscription(admin_api& api,
                                                                        const std::string& id) {
  static const std::string mutation =
      "mutation SynclineWebhookSubscriptionDelete($id: ID!) {\n"
      "  webhookSubscriptionDelete(id: $id) {\n"
      "    deletedWebhookSubscriptionId\n"
      "    userErrors { field message }\n"
      "  }\n"
      "}";
  // A named object: g++ 12 rejects a braced argument of a call inside co_await ("array used as
  // initializer").
  boost::json::object vars{{"id", id}};
  auto data = co_await api.graphql("webhookSubscriptionDelete", mutation, std::move(vars),
                                   repeat::safe, 10);
  if (!data) co_return std::move(data).error();
  const auto& payload = member(*data, "webhookSubscriptionDelete");
  if (!payload.is_object())
    co_return make_error(errc::decode,
                         "GraphQL webhookSubscriptionDelete: answer without "
                         "webhookSubscriptionDelete");
  auto errors = decode_at<std::vector<graphql_user_error>>(
      member(payload.get_object(), "userErrors"), "webhookSubscriptionDelete.userErrors");
  if (!errors) co_return std::move(errors).error();
  const bool gone = std::all_of(errors->begin(), errors->end(), [](const graphql_user_error& e) {
    return e.field && e.field->size() == 1 && e.field->front() == "id";
  });
  if (!gone) co_return make_error(errc::invalid_input, describe_user_errors(*errors));
  co_return result<void>{};
}

}  // namespace detail

SYNCLINE_DECL std::string topic_enum(std::string_view topic) {
  std::string out(topic);
  for (char& c : out) {
    if (c == '/')
      c = '_';
    else if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

SYNCLINE_DECL result<std::string> topic_of_enum(std::string_view e) {
  for (std::string_view t : detail::known_shopify_topics)
    if (topic_enum(t) == e) return std::string(t);
  return make_error(errc::not_found, "syncline does not know which webhook topic " +
                                         json::detail::quoted(e, 64) +
                                         " is (the enum does not say where its '/' goes)");
}

SYNCLINE_DECL boost::asio::awaitable<result<subscription_report>> reconcile_webhook_subscriptions(
    admin_api& api, const subscription_plan& plan) {
  const std::string shop = api.shop();
  auto base = detail::callback_base_of(plan.callback_base, shop);
  if (!base) co_return std::move(base).error();

  subscription_report report;
  std::vector<std::string> needed;  // topics to subscribe to through the API, sorted, unique
  for (const auto& t : plan.topics) {
    if (!detail::well_formed_topic(t)) {
      co_return make_error(errc::invalid_input,
                           "webhook subscriptions of " + shop + ": " + json::detail::quoted(t, 64) +
                               " is not a webhook topic (lower-case words around one '/', like "
                               "\"orders/create\")");
    }
    (is_compliance_topic(t) ? report.configured : needed).push_back(t);
  }
  for (auto* v : {&needed, &report.configured}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }

  auto listed = co_await detail::list_webhook_subscriptions(api);
  if (!listed) co_return std::move(listed).error();
  std::vector<detail::listed_webhook_subscription> ours;
  for (auto& s : *listed)
    if (detail::under(s.callback, *base)) ours.push_back(std::move(s));

  std::vector<std::string> stale;  // ids to delete once the creates are done
  std::vector<std::pair<std::string, std::string>> refused;  // {topic, Shopify's words}
  for (const auto& topic : needed) {
    const std::string e = topic_enum(topic);
    const std::string url = detail::callback_of(*base, topic);
    bool exact = false;
    std::vector<std::string> moved;  // ours of this topic at another URL
    for (const auto& s : ours) {
      if (s.topic != e) continue;
      if (s.callback == url && !exact)
        exact = true;
      else
        moved.push_back(s.id);  // another URL, or a second one at the same URL
    }
    if (exact) {
      report.kept.push_back(topic);
      stale.insert(stale.end(), moved.begin(), moved.end());
      continue;
    }
    auto made = co_await detail::create_webhook_subscription(api, topic, url);
    if (!made) {
      if (made.error().category != errc::invalid_input) co_return std::move(made).error();
      // Refused: keep any old subscription of the topic, it may still deliver.
      refused.emplace_back(topic, std::move(made).error().message);
      continue;
    }
    (moved.empty() ? report.created : report.replaced).push_back(topic);
    stale.insert(stale.end(), moved.begin(), moved.end());
  }
  if (!refused.empty()) {
    // Another engine process reconciling the shop at the same time may have made it first
    // (Shopify then answers "Address for this topic has already been taken"): look again.
    auto again = co_await detail::list_webhook_subscriptions(api);
    if (!again) co_return std::move(again).error();
    std::erase_if(refused, [&](const auto& r) {
      const std::string e = topic_enum(r.first), url = detail::callback_of(*base, r.first);
      const bool made = std::any_of(again->begin(), again->end(), [&](const auto& s) {
        return s.topic == e && s.callback == url;
      });
      if (made) report.kept.push_back(r.first);
      return made;
    });
  }
  for (const auto& s : ours) {
    // Matched by enum: a topic the plan names but syncline cannot read back is still needed.
    if (std::any_of(needed.begin(), needed.end(),
                    [&](const std::string& t) { return topic_enum(t) == s.topic; }))
      continue;
    stale.push_back(s.id);
    report.removed.push_back(detail::readable_topic(s.topic));
  }
  for (const auto& id : stale) {
    auto gone = co_await detail::delete_webhook_subscription(api, id);
    if (!gone) {
      if (gone.error().category != errc::invalid_input) co_return std::move(gone).error();
      refused.emplace_back("deleting " + id, std::move(gone).error().message);
    }
  }
  for (auto* v : {&report.kept, &report.removed}) std::sort(v->begin(), v->end());
  if (refused.empty()) co_return report;

  std::string what;
  for (const auto& [topic, message] : refused)
    what.append(what.empty() ? "" : "; ").append(topic).append(" (").append(message).append(")");
  std::string done;
  if (!report.created.empty()) done += "; created " + detail::joined(report.created);
  if (!report.replaced.empty()) done += "; replaced " + detail::joined(report.replaced);
  if (!report.removed.empty()) done += "; removed " + detail::joined(report.removed);
  co_return make_error(errc::invalid_input,
                       "Shopify refused webhook subscriptions of " + shop + ": " + what +
                           (done.empty() ? "" : " (the others were reconciled" + done + ")"));
}

SYNCLINE_DECL boost::asio::awaitable<result<std::size_t>> remove_webhook_subscriptions(
    admin_api& api, std::string callback_base) {
  auto base = detail::callback_base_of(callback_base, api.shop());
  if (!base) co_return std::move(base).error();
  auto listed = co_await detail::list_webhook_subscriptions(api);
  if (!listed) co_return std::move(listed).error();
  std::size_t n = 0;
  for (const auto& s : *listed) {
    if (!detail::under(s.callback, *base)) continue;
    auto gone = co_await detail::delete_webhook_subscription(api, s.id);
    if (!gone) {
      if (gone.error().category != errc::invalid_input) co_return std::move(gone).error();
      co_return make_error(errc::invalid_input,
                           "Shopify refused to delete the webhook subscription of " +
                               detail::readable_topic(s.topic) + " in " + api.shop() + ": " +
                               gone.error().message);
    }
    ++n;
  }
  co_return n;
}

}  // namespace syncline::shopify
