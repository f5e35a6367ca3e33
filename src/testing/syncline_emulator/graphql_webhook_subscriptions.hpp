// The webhook subscriptions of Shopify's GraphQL Admin API: webhookSubscriptionCreate,
// webhookSubscriptionDelete, webhookSubscriptions (a connection) and webhookSubscription. They act
// on the same subscriptions as REST webhooks.json and subscribe(), so what an app creates here is
// what the emulator delivers; an app sees and deletes only its own.
#pragma once

#include <syncline/testing/webhook_subscription.hpp>
#include <syncline_emulator/admin_context.hpp>
#include <syncline_emulator/graphql_executor.hpp>
#include <syncline_emulator/opaque_cursor.hpp>
#include <syncline_emulator/order_builder.hpp>
#include <syncline_emulator/rest_api.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing::detail {

namespace webhook_schema_detail {

using value = boost::json::value;
using object = boost::json::object;
using field = gql_field<admin_context>;
using resolved = gql_resolved;

// "orders/create" <-> ORDERS_CREATE
inline std::string topic_enum(std::string_view topic) {
  std::string out(topic);
  for (auto& c : out)
    c = c == '/' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
inline std::optional<std::string> topic_of(std::string_view e) {
  for (const auto& t : known_webhook_topics())
    if (topic_enum(t) == e) return t;
  return std::nullopt;
}

inline object node(const webhook_subscription& s) {
  boost::json::array fields;
  for (const auto& f : s.fields) fields.push_back(value(f));
  return {{"id", gid("WebhookSubscription", s.id)},
          {"legacyResourceId", std::to_string(s.id)},
          {"topic", topic_enum(s.topic)},
          {"format", "JSON"},
          {"includeFields", std::move(fields)},
          {"callbackUrl", s.address},
          {"uri", s.address},
          {"name", s.name.empty() ? value(nullptr) : value(s.name)},
          {"filter", nullptr},
          {"apiVersion",
           object{{"handle", s.api_version}, {"displayName", s.api_version}, {"supported", true}}},
          {"createdAt", format_utc(s.created_at)},
          {"updatedAt", format_utc(s.updated_at)}};
}

inline boost::json::array user_errors(const field_errors& errors) {
  boost::json::array out;
  for (const auto& e : errors) {
    const std::string what = e.path.empty() ? "" : e.path.front();
    boost::json::array path;
    std::string label;
    if (what == "topic") {
      path = {"topic"};
      label = "Topic";
    } else {
      path = {"webhookSubscription", what == "address" ? "callbackUrl" : "format"};
      label = what == "address" ? "Address" : "Format";
    }
    const bool lower = !e.message.empty() && std::islower(static_cast<unsigned char>(e.message[0]));
    out.push_back(object{{"field", std::move(path)},
                         {"message", lower ? label + " " + e.message : e.message}});
  }
  return out;
}

inline std::vector<const webhook_subscription*> own(const admin_context& c) {
  std::vector<const webhook_subscription*> out;
  for (const auto& s : c.shop.subscriptions)
    if (s.app_client_id == c.app) out.push_back(&s);
  return out;
}

inline resolved create(admin_context& c, const object& args) {
  auto topic = topic_of(std::string_view(args.at("topic").as_string()));
  const auto& in = args.at("webhookSubscription").as_object();
  webhook_subscription s;
  s.topic = topic ? *topic : std::string(args.at("topic").as_string());
  for (const char* key : {"callbackUrl", "uri"})
    if (const auto* v = in.if_contains(key); v && v->is_string()) s.address = v->get_string();
  if (const auto* f = in.if_contains("format"); f && f->is_string())
    s.format = f->get_string() == "JSON" ? "json" : "xml";
  if (const auto* f = in.if_contains("includeFields"); f && f->is_array())
    for (const auto& x : f->get_array())
      if (x.is_string()) s.fields.emplace_back(x.get_string());
  s.api_version = c.shop.config.webhook_api_version;
  s.app_client_id = c.app;
  s.created_at = s.updated_at = c.now;
  auto errors = check_subscription(c.shop, s, 0, true);
  if (errors.empty() && c.shop.faults.refuse_next_webhook_subscriptions > 0) {
    --c.shop.faults.refuse_next_webhook_subscriptions;
    errors.push_back({{"topic"},
                      "You do not have permission to create or update webhooks with " + s.topic +
                          " topic. This topic contains protected customer data."});
  }
  if (!errors.empty())
    return resolved{
        object{{"webhookSubscription", nullptr}, {"userErrors", user_errors(errors)}}, {}, {}};
  s.id = ++c.ids.subscription;
  c.shop.subscriptions.push_back(s);
  return resolved{
      object{{"webhookSubscription", node(s)}, {"userErrors", boost::json::array{}}}, {}, {}};
}

inline resolved remove(admin_context& c, const object& args) {
  const auto id = id_value(args.at("id"));
  auto& subs = c.shop.subscriptions;
  auto it = std::find_if(subs.begin(), subs.end(), [&](const webhook_subscription& s) {
    return id && s.id == *id && s.app_client_id == c.app;
  });
  if (it == subs.end())
    return resolved{
        object{{"deletedWebhookSubscriptionId", nullptr},
               {"userErrors",
                boost::json::array{object{{"field", boost::json::array{"id"}},
                                          {"message", "Webhook subscription does not exist"}}}}},
        {},
        {}};
  subs.erase(it);
  return resolved{object{{"deletedWebhookSubscriptionId", gid("WebhookSubscription", *id)},
                         {"userErrors", boost::json::array{}}},
                  {},
                  {}};
}

// Pages by id; `after`/`before` are opaque cursors of the id they follow.
inline resolved list(admin_context& c, const object& args) {
  auto arg = [&](std::string_view k) -> const value* {
    const auto* v = args.if_contains(k);
    return v && !v->is_null() ? v : nullptr;
  };
  const value* first = arg("first");
  const value* last = arg("last");
  if (!first == !last)
    return resolved::fail("you must provide one of first or last", {{"code", "BAD_REQUEST"}});
  const auto n = (first ? *first : *last).to_number<std::int64_t>();
  if (n < 0 || n > 250)
    return resolved::fail("first and last must be between 0 and 250", {{"code", "BAD_REQUEST"}});
  auto cursor_id = [&](std::string_view k, std::optional<std::uint64_t>& out) {
    const value* v = arg(k);
    if (!v) return true;
    auto o = v->is_string() ? decode_cursor(std::string_view(v->get_string())) : std::nullopt;
    const auto* id = o ? o->if_contains("last_id") : nullptr;
    out = id ? id_value(*id) : std::nullopt;
    return out.has_value();
  };
  std::optional<std::uint64_t> after, before;
  if (!cursor_id("after", after) || !cursor_id("before", before))
    return resolved::fail("Invalid cursor", {{"code", "BAD_REQUEST"}});
  std::vector<const webhook_subscription*> rows;
  for (const auto* s : own(c)) {
    if (const value* t = arg("topics"); t && t->is_array()) {
      const auto& ts = t->get_array();
      if (std::find(ts.begin(), ts.end(), value(topic_enum(s->topic))) == ts.end()) continue;
    }
    if (const value* u = arg("callbackUrl"); u && *u != value(s->address)) continue;
    if ((after && s->id <= *after) || (before && s->id >= *before)) continue;
    rows.push_back(s);
  }
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->id < b->id; });
  if (const value* r = arg("reverse"); r && r->is_bool() && r->get_bool())
    std::reverse(rows.begin(), rows.end());
  const auto size = static_cast<std::size_t>(n);
  bool has_next = false, has_previous = after.has_value();
  if (first && rows.size() > size) {
    rows.resize(size);
    has_next = true;
  } else if (last && rows.size() > size) {
    rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(size));
    has_previous = true;
  }
  boost::json::array edges, nodes;
  for (const auto* s : rows) {
    object nd = node(*s);
    edges.push_back(object{{"cursor", encode_cursor({{"last_id", s->id}})}, {"node", nd}});
    nodes.push_back(std::move(nd));
  }
  object page{{"hasNextPage", has_next},
              {"hasPreviousPage", has_previous},
              {"startCursor", edges.empty() ? value(nullptr) : edges.front().at("cursor")},
              {"endCursor", edges.empty() ? value(nullptr) : edges.back().at("cursor")}};
  return resolved{
      object{
          {"edges", std::move(edges)}, {"nodes", std::move(nodes)}, {"pageInfo", std::move(page)}},
      {},
      {}};
}

inline field plain(std::string type) { return field{std::move(type), {}, {}, {}}; }

}  // namespace webhook_schema_detail

// Adds the webhook subscription types, queries and mutations to `s` (which already has PageInfo,
// UserError, QueryRoot and Mutation).
inline void add_webhook_subscriptions(gql_schema<admin_context>& s) {
  using namespace webhook_schema_detail;
  auto& topics = s.enums["WebhookSubscriptionTopic"];
  for (const auto& t : known_webhook_topics()) topics.push_back(topic_enum(t));
  s.enums["WebhookSubscriptionFormat"] = {"JSON", "XML"};
  s.inputs["WebhookSubscriptionInput"] = {{{"callbackUrl", "URL"},
                                           {"uri", "String"},
                                           {"format", "WebhookSubscriptionFormat"},
                                           {"includeFields", "[String!]"},
                                           {"metafieldNamespaces", "[String!]"},
                                           {"filter", "String"}},
                                          false};

  auto& version = s.objects["ApiVersion"];
  version.cost = 0;
  for (const auto& [n, t] :
       {std::pair{"handle", "String!"}, {"displayName", "String!"}, {"supported", "Boolean!"}})
    version.fields[n] = plain(t);
  auto& sub = s.objects["WebhookSubscription"];
  for (const auto& [n, t] : {std::pair{"id", "ID!"},
                             {"legacyResourceId", "UnsignedInt64!"},
                             {"topic", "WebhookSubscriptionTopic!"},
                             {"format", "WebhookSubscriptionFormat!"},
                             {"includeFields", "[String!]!"},
                             {"callbackUrl", "URL!"},
                             {"uri", "String!"},
                             {"name", "String"},
                             {"filter", "String"},
                             {"apiVersion", "ApiVersion!"},
                             {"createdAt", "DateTime!"},
                             {"updatedAt", "DateTime!"}})
    sub.fields[n] = plain(t);
  auto& edge = s.objects["WebhookSubscriptionEdge"];
  edge.cost = 0;
  edge.fields["cursor"] = plain("String!");
  edge.fields["node"] = plain("WebhookSubscription!");
  auto& conn = s.objects["WebhookSubscriptionConnection"];
  conn.cost = 2;
  conn.connection = true;
  conn.fields["edges"] = plain("[WebhookSubscriptionEdge!]!");
  conn.fields["nodes"] = plain("[WebhookSubscription!]!");
  conn.fields["pageInfo"] = plain("PageInfo!");
  auto& created = s.objects["WebhookSubscriptionCreatePayload"];
  created.fields["webhookSubscription"] = plain("WebhookSubscription");
  created.fields["userErrors"] = plain("[UserError!]!");
  auto& deleted = s.objects["WebhookSubscriptionDeletePayload"];
  deleted.fields["deletedWebhookSubscriptionId"] = plain("ID");
  deleted.fields["userErrors"] = plain("[UserError!]!");

  auto& query = s.objects["QueryRoot"];
  {
    field f{"WebhookSubscriptionConnection!",
            {{"first", "Int"},
             {"last", "Int"},
             {"after", "String"},
             {"before", "String"},
             {"reverse", "Boolean"},
             {"topics", "[WebhookSubscriptionTopic!]"},
             {"callbackUrl", "URL"},
             {"format", "WebhookSubscriptionFormat"}},
            {},
            {}};
    f.resolve = [](admin_context& c, const value&, const object& args) { return list(c, args); };
    query.fields["webhookSubscriptions"] = std::move(f);
  }
  {
    field f{"WebhookSubscription", {{"id", "ID!"}}, {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) {
      const auto id = id_value(args.at("id"));
      for (const auto* sub : own(c))
        if (id && sub->id == *id) return resolved{node(*sub), {}, {}};
      return resolved{nullptr, {}, {}};
    };
    query.fields["webhookSubscription"] = std::move(f);
  }
  auto& mutation = s.objects["Mutation"];
  {
    field f{"WebhookSubscriptionCreatePayload",
            {{"topic", "WebhookSubscriptionTopic!"},
             {"webhookSubscription", "WebhookSubscriptionInput!"}},
            {},
            {}};
    f.resolve = [](admin_context& c, const value&, const object& args) { return create(c, args); };
    mutation.fields["webhookSubscriptionCreate"] = std::move(f);
  }
  {
    field f{"WebhookSubscriptionDeletePayload", {{"id", "ID!"}}, {}, {}};
    f.resolve = [](admin_context& c, const value&, const object& args) { return remove(c, args); };
    mutation.fields["webhookSubscriptionDelete"] = std::move(f);
  }
}

}  // namespace syncline::testing::detail
