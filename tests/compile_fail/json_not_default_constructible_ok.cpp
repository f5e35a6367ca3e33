// OK twin of json_not_default_constructible.cpp: the record has a default constructor.
#include <syncline/json/decode.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct order_row {
  order_row() = default;
  explicit order_row(long i) : id(i) {}
  long id = 0;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, note))

bool decodes() { return syncline::json::decode<order_row>("{}").has_value(); }
