// shopify::update_order: a block `order_update -> shopify::order` that changes the tags, note
// attributes, note or email of an order (GraphQL orderUpdate, or REST PUT orders/{id}.json).
// Shopify replaces tags and note attributes as a whole, so order_update::add_tag and
// order_update::set_attribute start from the order's current ones: that is how a workflow marks
// an order it wrote, so that the other direction of a bi-directional sync can skip it.
//
//   shopify::create_order{} | map<"mark">([](const shopify::order& o) {
//       return shopify::order_update::set_attribute(o, "syncline_origin", "platform"); })
//   | shopify::update_order{}
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::shopify {

// admin_api is only named here (the actions' `api` parameter); the bodies, in impl/*.ipp,
// include admin_api.hpp, and with it the HTTP client and Asio. A declare-only TU stays without
// them.
class admin_api;
class connector;

// What to change; members left empty are not touched.
struct order_update {
  std::int64_t id = 0;
  std::optional<std::string> tags{};  // comma-separated; replaces all the order's tags
  std::optional<std::vector<note_attribute>> note_attributes{};  // replaces all of them
  std::optional<std::string> note{};
  std::optional<std::string> email{};

  bool operator==(const order_update&) const = default;

  // The update that adds `tag` to the order's tags (none if it has it already).
  static order_update add_tag(const order& o, std::string_view tag) {
    order_update u{.id = o.id};
    std::vector<std::string> tags = detail::split_tags(o.tags);
    bool present = false;
    for (const auto& t : tags) present = present || t == tag;
    std::string joined = o.tags;
    if (!present) joined = joined.empty() ? std::string(tag) : joined + ", " + std::string(tag);
    u.tags = std::move(joined);
    return u;
  }

  // The update that sets the note attribute `name` to `value`, keeping the others.
  static order_update set_attribute(const order& o, std::string_view name, std::string_view value) {
    order_update u{.id = o.id};
    std::vector<note_attribute> attributes = o.note_attributes;
    bool found = false;
    for (auto& a : attributes) {
      if (a.name == name) {
        a.value = std::string(value);
        found = true;
      }
    }
    if (!found) attributes.push_back({std::string(name), std::string(value)});
    u.note_attributes = std::move(attributes);
    return u;
  }
};
BOOST_DESCRIBE_STRUCT(order_update, (), (id, tags, note_attributes, note, email))

struct update_order {
  using app_type = app;
  // The engine gives the HTTP client and the credentials; install must be given a connector.
  using services = syncline::needs<connector>;
  static constexpr std::string_view name = "update_order";
  // The Shopify access scope it needs (shopify::access_scopes_of gathers them).
  static constexpr std::string_view access_scope = "write_orders";

  SYNCLINE_DECL awaitable<result<order>> operator()(order_update change, run_context& ctx) const;

  // Setting the same values twice has the same effect as once, so the call is repeated after a
  // lost answer or a 5xx like a read.
  SYNCLINE_DECL static awaitable<result<order>> update(admin_api& api, order_update change);
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/update_order.ipp>
#endif
