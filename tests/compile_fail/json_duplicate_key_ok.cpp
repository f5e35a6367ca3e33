// The positive twin of json_duplicate_key.cpp: the rename picks a key no other member uses.
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
  static constexpr syncline::json::member_key renames[] = {{"name", "display_name"}};
};

bool decodes() { return syncline::json::decode<line>("{}").has_value(); }
