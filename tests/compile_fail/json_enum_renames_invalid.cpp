// expect: syncline: json::enum_names<E>::renames names a value E does not describe, or gives two values one name
// names: json_enum_renames_invalid<kind>
// Two enumerators renamed to one JSON string could not be told apart when read back. Twin:
// json_enum_renames_invalid_ok.cpp.
#include <syncline/json/decode.hpp>
#include <syncline/json/enum_names.hpp>

#include <boost/describe/enum.hpp>

enum class kind { sale, void_ };
BOOST_DESCRIBE_ENUM(kind, sale, void_)

template <>
struct syncline::json::enum_names<kind> {
  static constexpr syncline::json::enum_name<kind> renames[] = {{kind::void_, "sale"}};
};

bool decodes() { return syncline::json::decode<kind>("\"void\"").has_value(); }
