// syncline::json::enum_names<E>: the opt-in for a described enum whose JSON strings are not all
// its enumerator names (a value that is a C++ keyword, like a transaction kind "void", or that
// is not an identifier, like "orders/create"); json::enum_fallback<E>: the opt-in for reading
// strings the enum does not know as one chosen value.
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

// Specialize for E to read strings it does not describe as one chosen value instead of failing
// the decode. For enums an API extends without a version change (Shopify adds order statuses):
// a record with a new status still arrives, marked as not understood, rather than being lost.
// Writing the fallback writes its own name, so the original string is not round-tripped.
//
//   template <>
//   struct syncline::json::enum_fallback<financial_status> {
//     static constexpr financial_status value = financial_status::unknown;
//   };
template <class E>
struct enum_fallback {};

}  // namespace syncline::json
