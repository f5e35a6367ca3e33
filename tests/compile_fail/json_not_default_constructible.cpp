// expect: syncline: json::decode<T>: T must be default constructible
// names: json_record_not_default_constructible<order_row>
// decode fills the members of a default-constructed record in place. Twin:
// json_not_default_constructible_ok.cpp.
#include <syncline/json/decode.hpp>

#include <boost/describe/class.hpp>

#include <string>

struct order_row {
  explicit order_row(long i) : id(i) {}
  long id;
  std::string note;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, note))

bool decodes() { return syncline::json::decode<order_row>("{}").has_value(); }
