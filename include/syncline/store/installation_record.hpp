// store::installation_record: the stored row of one installation, an end user who connected
// their own account of the app to an integration. (What users pass to engine::install is
// syncline::tenant<Credentials>, runtime/tenant.hpp.)
#pragma once

#include <syncline/core/secret.hpp>
#include <syncline/store/clock.hpp>

#include <cstdint>
#include <string>

namespace syncline::store {

struct installation_record {
  std::string integration{};
  std::string id{};         // e.g. the shop domain "acme.myshopify.com"
  secret credentials{};     // stored as given; prints as *** so it never reaches a log or error
  std::string settings{};   // JSON text
  time_point created_at{};  // set by the store
  time_point updated_at{};  // set by the store
  // Set by the store: 1 when first put, +1 at each put or replace. replace_installation writes
  // only over the revision it read, so of many processes refreshing one shop's token, one wins.
  std::int64_t revision = 0;
};

}  // namespace syncline::store
