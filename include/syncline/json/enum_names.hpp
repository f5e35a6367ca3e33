// syncline::json::enum_names<E>: the opt-in for a described enum whose JSON strings are not all
// its enumerator names (a value that is a C++ keyword, like a transaction kind "void", or that
// is not an identifier, like "orders/create").
#pragma once

#include <array>
#include <string_view>

namespace syncline::json {

template <class E>
struct enum_name {
  E value;
  std::string_view name;
};

// Specialize for E to rename enumerators; other enumerators keep their described names:
//
//   template <>
//   struct syncline::json::enum_names<transaction_kind> {
//     static constexpr syncline::json::enum_name<transaction_kind> renames[] = {
//         {transaction_kind::void_, "void"}};
//   };
template <class E>
struct enum_names {
  static constexpr std::array<enum_name<E>, 0> renames{};
};

}  // namespace syncline::json
