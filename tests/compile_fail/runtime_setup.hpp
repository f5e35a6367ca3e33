// What the runtime_* compile-fail tests and their twins share: an engine, a shop app whose
// webhook deliveries the engine can authenticate, a feed app that cannot, described records and
// a destination. Each test keeps only the install or emit that breaks (or, in its _ok twin,
// keeps) one of engine::install's rules. Not a test itself: the CMake glob takes *.cpp only.
#pragma once

#include <syncline/core/app_event.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/poll.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/tenant.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/describe/class.hpp>

#include <string>
#include <string_view>

struct order {
  long id = 0;
  std::string email;
};
BOOST_DESCRIBE_STRUCT(order, (), (id, email))

struct order_note {  // not described: the run queue cannot store it
  long id = 0;
  std::string note;
};

namespace shop {
struct credentials {
  std::string domain;
  std::string secret;
  std::string_view tenant_key() const { return domain; }
};
struct app {
  static constexpr std::string_view name = "shop";
  using credentials = shop::credentials;
  static syncline::result<syncline::delivery_identity> identify(const syncline::inbound_delivery&) {
    return syncline::delivery_identity{"a.shop.test", "delivery-1"};
  }
  static syncline::result<void> verify(const syncline::inbound_delivery&, const credentials&) {
    return {};
  }
};
// A webhook trigger of an app that authenticates its deliveries.
template <syncline::fixed_string Topic, class Payload>
struct webhook : syncline::webhook<app, Topic, Payload> {};
}  // namespace shop

// An app with credentials but no way to authenticate deliveries.
namespace feed {
struct credentials {
  std::string token;
};
struct app {
  static constexpr std::string_view name = "feed";
  using credentials = feed::credentials;
};
}  // namespace feed

struct save_order : syncline::destination {
  static constexpr std::string_view name = "save_order";
  void operator()(const order&) const {}
};
struct save_note : syncline::destination {
  static constexpr std::string_view name = "save_note";
  void operator()(const order_note&) const {}
};

inline syncline::engine eng({.database = ":memory:", .listen = {"", 0}});
