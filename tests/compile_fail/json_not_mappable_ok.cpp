// The positive twin of json_not_mappable.cpp: the same record with a mappable member.
#include <syncline/json/decode.hpp>

#include <boost/describe.hpp>

#include <string>

struct order_row {
  long id;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, note))

bool decodes() { return syncline::json::decode<order_row>("{}").has_value(); }
