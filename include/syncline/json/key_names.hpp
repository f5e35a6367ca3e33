// syncline::json::key_names<T>: the opt-in for a described struct whose JSON keys are not all
// its C++ member names (a key that is a C++ keyword, like Shopify's address "default", or that
// is not an identifier). Everything else maps a member to the key of the same name.
#pragma once

#include <array>
#include <string_view>

namespace syncline::json {

// One renamed member: `member` is the C++ name as written in BOOST_DESCRIBE_STRUCT, `key` the
// JSON key used both to decode and to encode.
struct member_key {
  std::string_view member;
  std::string_view key;
};

// Specialize for T to rename members; the names are checked when T is first decoded or
// encoded (a member T does not describe, or two members on one key, stop the compile):
//
//   template <>
//   struct syncline::json::key_names<address> {
//     static constexpr syncline::json::member_key renames[] = {{"is_default", "default"}};
//   };
template <class T>
struct key_names {
  static constexpr std::array<member_key, 0> renames{};
};

}  // namespace syncline::json
