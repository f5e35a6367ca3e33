// expect: syncline: json::key_names<T>::renames names a member that T does not describe
// names: json_rename_names_no_member<address>
// A rename that names a member the struct does not have (a typo) stops the compile. Twin:
// json_rename_unknown_member_ok.cpp.
#include "json_setup.hpp"

template <>
struct syncline::json::key_names<address> {
  static constexpr syncline::json::member_key renames[] = {{"is_defualt", "default"}};
};

bool decodes() { return syncline::json::decode<address>("{}").has_value(); }
