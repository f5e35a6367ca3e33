// OK twin of json_enum_renames_invalid.cpp: void_ is renamed to "void", a name of its own.
#include <syncline/json/decode.hpp>
#include <syncline/json/enum_names.hpp>

#include <boost/describe/enum.hpp>

enum class kind { sale, void_ };
BOOST_DESCRIBE_ENUM(kind, sale, void_)

template <>
struct syncline::json::enum_names<kind> {
  static constexpr syncline::json::enum_name<kind> renames[] = {{kind::void_, "void"}};
};

bool decodes() { return syncline::json::decode<kind>("\"void\"").has_value(); }
