// OK twin of json_rename_unknown_member.cpp: the rename names a real member.
#include "json_setup.hpp"

template <>
struct syncline::json::key_names<address> {
  static constexpr syncline::json::member_key renames[] = {{"is_default", "default"}};
};

bool decodes() { return syncline::json::decode<address>("{}").has_value(); }
