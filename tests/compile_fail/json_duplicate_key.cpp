// expect: syncline: two members of T have the same JSON key
// Renaming a member onto another member's key would make one JSON key mean two fields.
#include <syncline/json/decode.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe.hpp>

#include <string>

struct line {
  std::string title;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(line, (), (title, name))

template <>
struct syncline::json::key_names<line> {
  static constexpr syncline::json::member_key renames[] = {{"name", "title"}};
};

bool decodes() { return syncline::json::decode<line>("{}").has_value(); }
