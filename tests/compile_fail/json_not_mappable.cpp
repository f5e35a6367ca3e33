// expect: syncline: the type is not mappable to JSON: use bool, integers
// names: value_not_mappable_to_json<order_row>
// A member of a type the JSON layer cannot map (a raw pointer) stops the compile at decode.
#include <syncline/json/decode.hpp>

#include <boost/describe.hpp>

struct order_row {
  long id;
  const char* note;
};
BOOST_DESCRIBE_STRUCT(order_row, (), (id, note))

bool decodes() { return syncline::json::decode<order_row>("{}").has_value(); }
