// The positive twin of json_rename_unknown_member.cpp: the rename names a real member.
#include <syncline/json/decode.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe.hpp>

struct address {
  bool is_default;
};
BOOST_DESCRIBE_STRUCT(address, (), (is_default))

template <>
struct syncline::json::key_names<address> {
  static constexpr syncline::json::member_key renames[] = {{"is_default", "default"}};
};

bool decodes() { return syncline::json::decode<address>("{}").has_value(); }
