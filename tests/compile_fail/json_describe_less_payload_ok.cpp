// OK twin of json_describe_less_payload.cpp: the record is described.
#include <syncline/json/encode.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct order_placed {
  long id;
  std::string email;
};
BOOST_DESCRIBE_STRUCT(order_placed, (), (id, email))

std::string text() { return syncline::json::encode(order_placed{1, "a@example.com"}); }
