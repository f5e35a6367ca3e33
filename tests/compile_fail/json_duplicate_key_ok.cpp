// OK twin of json_duplicate_key.cpp: the rename picks a key no other member uses.
#include "json_setup.hpp"

template <>
struct syncline::json::key_names<line> {
  static constexpr syncline::json::member_key renames[] = {{"name", "display_name"}};
};

bool decodes() { return syncline::json::decode<line>("{}").has_value(); }
