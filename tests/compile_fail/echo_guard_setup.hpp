// What echo_guard_key_missing.cpp and its twin share: a webhook source and its described record.
// Each file keeps only the workflow whose echo guard names a key. Not a test itself: the CMake
// glob takes *.cpp only.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>
#include <string_view>

struct shop {
  static constexpr std::string_view name = "shop";
};

struct shop_order {
  std::int64_t id = 0;
  std::string source_identifier;
};
BOOST_DESCRIBE_STRUCT(shop_order, (), (id, source_identifier))
