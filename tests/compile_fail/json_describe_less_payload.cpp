// expect: syncline: the type is not mappable to JSON: use bool, integers
// names: value_not_mappable_to_json<order_placed>
// A record without BOOST_DESCRIBE_STRUCT gives one line, not the codec's follow-on errors (they
// ran to 48 KB): encode stops before it instantiates the codec. Twin:
// json_describe_less_payload_ok.cpp.
#include <syncline/json/encode.hpp>

#include <string>

struct order_placed {
  long id;
  std::string email;
};

std::string text() { return syncline::json::encode(order_placed{1, "a@example.com"}); }
