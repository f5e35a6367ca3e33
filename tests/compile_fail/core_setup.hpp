// What the core_* compile-fail tests and their twins share: the records, apps and blocks of a
// small shop-to-CRM integration. Each test keeps only its workflow, which breaks (or, in its _ok
// twin, keeps) one rule, so the rule stands out. No workflow is declared here: a test may first
// have to declare an event's payload. Not a test itself: the CMake glob takes *.cpp only.
#pragma once

#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/workflow.hpp>

#include <string>
#include <string_view>

struct order_placed {
  long id;
  std::string email;
};
struct crm_contact {
  std::string email;
};

namespace crm {
struct app {
  static constexpr std::string_view name = "crm";
};
}  // namespace crm
namespace billing {
struct app {
  static constexpr std::string_view name = "billing";
};
}  // namespace billing

struct upsert_contact : syncline::destination {
  using app_type = crm::app;
  static constexpr std::string_view name = "upsert_contact";
  void operator()(const crm_contact&) const {}
};
struct create_invoice : syncline::destination {
  using app_type = billing::app;
  static constexpr std::string_view name = "create_invoice";
  void operator()(const order_placed&) const {}
};

// Looks the customer up: can fail.
struct lookup_contact {
  static constexpr std::string_view name = "lookup_contact";
  syncline::result<crm_contact> operator()(const order_placed& o) const {
    if (o.email.empty()) return syncline::make_error(syncline::errc::not_found, "no email");
    return crm_contact{o.email};
  }
};

// A webhook source: an app and the record its topics carry.
namespace shop {
struct app {
  static constexpr std::string_view name = "shop";
};
struct order {
  long id;
};
}  // namespace shop
