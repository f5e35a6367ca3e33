// expect: syncline: two members of T have the same JSON key
// names: json_duplicate_key<line>
// Renaming a member onto another member's key would make one JSON key mean two fields. Twin:
// json_duplicate_key_ok.cpp.
#include "json_setup.hpp"

template <>
struct syncline::json::key_names<line> {
  static constexpr syncline::json::member_key renames[] = {{"name", "title"}};
};

bool decodes() { return syncline::json::decode<line>("{}").has_value(); }
