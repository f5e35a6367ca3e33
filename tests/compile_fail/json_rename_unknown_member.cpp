// expect: syncline: json::key_names<T>::renames names a member that T does not describe
// A rename that names a member the struct does not have (a typo) stops the compile.
#include <syncline/json/decode.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe.hpp>

struct address {
  bool is_default;
};
BOOST_DESCRIBE_STRUCT(address, (), (is_default))

template <>
struct syncline::json::key_names<address> {
  static constexpr syncline::json::member_key renames[] = {{"is_defualt", "default"}};
};

bool decodes() { return syncline::json::decode<address>("{}").has_value(); }
