// The mapping between described C++ records and JSON: what decodes into what, and what encodes
// back. Error paths have their own file (errors_test.cpp).
#include <syncline/core/money.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mapping {

enum class color { red, dark_green, not_a_word };
BOOST_DESCRIBE_ENUM(color, red, dark_green, not_a_word)

struct point {
  std::int32_t x = 0;
  std::int32_t y = 0;
  bool operator==(const point&) const = default;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct shape {
  std::string name;
  std::optional<std::string> label;  // optional: absent or null
  std::vector<point> points;         // nested records in a vector
  color fill = color::red;           // enum as a string
  std::optional<color> stroke;
  bool is_default = false;    // JSON "default": a C++ keyword
  std::int64_t class_id = 0;  // JSON "class-id": not an identifier
  bool operator==(const shape&) const = default;
};
BOOST_DESCRIBE_STRUCT(shape, (), (name, label, points, fill, stroke, is_default, class_id))

struct base_record {
  std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(base_record, (), (id))
struct derived_record : base_record {
  std::string title;
};
BOOST_DESCRIBE_STRUCT(derived_record, (base_record), (title))

struct ids {
  std::int64_t signed_id = 0;
  std::uint64_t unsigned_id = 0;
  std::string admin_graphql_api_id;
};
BOOST_DESCRIBE_STRUCT(ids, (), (signed_id, unsigned_id, admin_graphql_api_id))

struct open_shape {
  std::string kind;
  boost::json::value details;  // any JSON, kept as a DOM
  std::optional<boost::json::value> extensions;
  std::map<std::string, std::vector<std::string>> errors;  // keys are data
};
BOOST_DESCRIBE_STRUCT(open_shape, (), (kind, details, extensions, errors))

struct prices {
  syncline::money total;
  std::vector<syncline::money> parts;
  syncline::timestamp at;
  double ratio = 0;
};
BOOST_DESCRIBE_STRUCT(prices, (), (total, parts, at, ratio))

struct empty_record {};
BOOST_DESCRIBE_STRUCT(empty_record, (), ())

}  // namespace mapping

template <>
struct syncline::json::key_names<mapping::shape> {
  static constexpr member_key renames[] = {{"is_default", "default"}, {"class_id", "class-id"}};
};
template <>
struct syncline::json::enum_names<mapping::color> {
  static constexpr enum_name<mapping::color> renames[] = {
      {mapping::color::not_a_word, "not a word"}};
};

using namespace mapping;
namespace json = syncline::json;

static_assert(json::mappable<shape>);
static_assert(json::mappable<std::vector<std::optional<point>>>);
static_assert(json::mappable<std::map<std::string, point>>);
static_assert(!json::mappable<char>, "plain char: a character or a number? refused");
static_assert(!json::mappable<std::vector<bool>>);
static_assert(!json::mappable<std::string_view>, "a view into the input would dangle");
struct undescribed {
  int x;
};
static_assert(!json::mappable<undescribed>);

TEST_CASE("described structs decode with nested records, vectors, enums and renamed keys",
          "[json][mapping]") {
  const auto s = json::decode<shape>(R"({
    "name": "triangle", "points": [{"x": 0, "y": 0}, {"x": 4, "y": 0}, {"y": 3, "x": 0}],
    "fill": "dark_green", "stroke": "not a word", "default": true, "class-id": 7})");
  REQUIRE(s);
  CHECK(s->name == "triangle");
  CHECK_FALSE(s->label.has_value());
  CHECK(s->points == std::vector<point>{{0, 0}, {4, 0}, {0, 3}});
  CHECK(s->fill == color::dark_green);
  CHECK(s->stroke == color::not_a_word);
  CHECK(s->is_default);
  CHECK(s->class_id == 7);
}

TEST_CASE("encode writes declaration order, renamed keys, enum names, and omits nullopt",
          "[json][mapping]") {
  shape s{"square", std::nullopt, {{1, 2}}, color::not_a_word, std::nullopt, false, 9};
  CHECK(json::encode(s) ==
        R"({"name":"square","points":[{"x":1,"y":2}],"fill":"not a word","default":false,)"
        R"("class-id":9})");
  s.label = "";
  s.stroke = color::red;
  const std::string text = json::encode(s);
  CHECK(text.find(R"("label":"")") != std::string::npos);
  CHECK(text.find(R"("stroke":"red")") != std::string::npos);
  // and back
  const auto back = json::decode<shape>(text);
  REQUIRE(back);
  CHECK(*back == s);
}

TEST_CASE("optional members: absent and null both decode to nullopt", "[json][mapping]") {
  const char* base = R"("name":"n","points":[],"fill":"red","default":false,"class-id":1)";
  const auto absent = json::decode<shape>(std::string("{") + base + "}");
  const auto null =
      json::decode<shape>(std::string("{") + base + R"(,"label":null,"stroke":null})");
  const auto given = json::decode<shape>(std::string("{") + base + R"(,"label":"L"})");
  REQUIRE(absent);
  REQUIRE(null);
  REQUIRE(given);
  CHECK_FALSE(absent->label);
  CHECK_FALSE(null->label);
  CHECK_FALSE(null->stroke);
  CHECK(given->label == "L");
  // A nullopt outside a record (an array element, the root) is written as null.
  CHECK(json::encode(std::vector<std::optional<int>>{1, std::nullopt}) == "[1,null]");
  CHECK(json::encode(std::optional<int>{}) == "null");
  CHECK(json::decode<std::optional<int>>("null")->has_value() == false);
}

TEST_CASE("unknown keys are skipped, whatever their shape", "[json][mapping]") {
  const auto p = json::decode<point>(
      R"({"new_field_2026": {"deep": [1, {"x": "not ours"}, [[]]]}, "x": 1, "later": null,)"
      R"( "y": 2, "z": [true, false, 1.5e300, "\u00e9"]})");
  REQUIRE(p);
  CHECK(*p == point{1, 2});
}

TEST_CASE("64-bit ids decode exactly, gid strings stay strings", "[json][mapping][ids]") {
  const auto v =
      json::decode<ids>(R"({"signed_id": 820982911946154508, "unsigned_id": 18446744073709551615,)"
                        R"( "admin_graphql_api_id": "gid://shopify/Order/820982911946154508"})");
  REQUIRE(v);
  CHECK(v->signed_id == 820982911946154508);  // above 2^53: a double would give ...500
  CHECK(v->unsigned_id == UINT64_MAX);
  CHECK(v->admin_graphql_api_id == "gid://shopify/Order/820982911946154508");
  const std::string out = json::encode(*v);
  CHECK(out.find("820982911946154508,") != std::string::npos);
  CHECK(out.find("18446744073709551615") != std::string::npos);
  CHECK(json::decode<ids>(out)->signed_id == 820982911946154508);
  CHECK(json::decode<std::int64_t>("-9223372036854775808").value() == INT64_MIN);
}

TEST_CASE("inherited members of described classes are mapped", "[json][mapping]") {
  const auto d = json::decode<derived_record>(R"({"id": 5, "title": "t"})");
  REQUIRE(d);
  CHECK(d->id == 5);
  CHECK(d->title == "t");
  CHECK(json::encode(*d) == R"({"id":5,"title":"t"})");
  CHECK(json::encode(empty_record{}) == "{}");
  CHECK(json::decode<empty_record>(R"({"anything": 1})"));
}

TEST_CASE("boost::json::value members keep any JSON, maps take keys as data", "[json][mapping]") {
  const auto o = json::decode<open_shape>(
      R"({"kind": "k", "details": {"a": [1, "two", {"b": null}], "c": 2.5},)"
      R"( "errors": {"title": ["can't be blank"], "line_items": ["is empty", "is bad"]}})");
  REQUIRE(o);
  CHECK(boost::json::serialize(o->details) == R"({"a":[1,"two",{"b":null}],"c":2.5E0})");
  CHECK_FALSE(o->extensions);
  CHECK(o->errors.at("line_items") == std::vector<std::string>{"is empty", "is bad"});
  CHECK(json::encode(*o) ==
        R"({"kind":"k","details":{"a":[1,"two",{"b":null}],"c":2.5},)"
        R"("errors":{"line_items":["is empty","is bad"],"title":["can't be blank"]}})");
  const auto scalar_details = json::decode<open_shape>(
      R"({"kind": "k", "details": 42, "extensions": {"cost": 1}, "errors": {}})");
  REQUIRE(scalar_details);
  CHECK(scalar_details->details == boost::json::value(42));
  CHECK(boost::json::serialize(*scalar_details->extensions) == R"({"cost":1})");
}

TEST_CASE("money and timestamps travel as their exact text", "[json][mapping][money]") {
  const auto p = json::decode<prices>(R"({"total": "199.65", "parts": ["199.00", "0.65", "10"],)"
                                      R"( "at": "2026-01-15T10:04:27.612-05:00", "ratio": 0.25})");
  REQUIRE(p);
  CHECK(p->total.to_string() == "199.65");
  CHECK(p->parts[0] + p->parts[1] == p->total);
  CHECK(p->at.text() == "2026-01-15T10:04:27.612-05:00");
  CHECK(json::encode(*p) == R"({"total":"199.65","parts":["199.00","0.65","10"],)"
                            R"("at":"2026-01-15T10:04:27.612-05:00","ratio":0.25})");
}

TEST_CASE("to_value builds the same JSON as encode", "[json][mapping]") {
  shape s{"s", "label", {{1, 2}, {3, 4}}, color::dark_green, color::not_a_word, true, -1};
  const boost::json::value v = json::to_value(s);
  CHECK(boost::json::serialize(v) == json::encode(s));
  CHECK(v.at("class-id") == boost::json::value(-1));
  prices p{
      *syncline::money::parse("1.50"), {}, *syncline::timestamp::parse("2026-01-01T00:00:00Z"), 2};
  CHECK(json::to_value(p).at("total") == boost::json::value("1.50"));
}

TEST_CASE("decode from a DOM gives the same values as decode from text", "[json][mapping]") {
  const std::string text =
      R"({"name":"n","points":[{"x":1,"y":2}],"fill":"red","default":true,"class-id":3,)"
      R"("extra":{"x":[1,2]}})";
  const auto dom = json::parse(text);
  REQUIRE(dom);
  const auto from_dom = json::decode<shape>(*dom);
  const auto from_text = json::decode<shape>(text);
  REQUIRE(from_dom);
  REQUIRE(from_text);
  CHECK(*from_dom == *from_text);
}

TEST_CASE("strings: escapes decode, encode escapes what JSON requires", "[json][mapping]") {
  const auto s = json::decode<std::string>(R"("a\"b\\c\n\u00e9\ud83d\ude00\/")");
  REQUIRE(s);
  CHECK(*s == "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80/");
  CHECK(json::encode(*s) == "\"a\\\"b\\\\c\\n\xc3\xa9\xf0\x9f\x98\x80/\"");
  CHECK(json::encode(std::string("\x01\x1f")) == R"("\u0001\u001f")");
  // A std::string may hold anything; the output stays valid JSON (U+FFFD for bad bytes).
  const std::string bad = "ok\xff\xc3(end";
  const std::string out = json::encode(bad);
  CHECK(out == R"("ok\ufffd\ufffd(end")");
  CHECK(json::parse(out));
  // Long strings with escapes arrive in parts from the parser; they must come out whole.
  std::string long_text(10000, 'x');
  long_text[5000] = '\n';
  const auto long_back = json::decode<std::string>(json::encode(long_text));
  REQUIRE(long_back);
  CHECK(*long_back == long_text);
}

TEST_CASE("numbers: doubles round-trip, integers stay integers", "[json][mapping]") {
  CHECK(json::encode(0.1) == "0.1");
  CHECK(json::decode<double>(json::encode(1e300)).value() == 1e300);
  CHECK(json::decode<double>("3").value() == 3.0);
  CHECK(json::encode(std::numeric_limits<double>::infinity()) == "null");  // JSON has no inf
  CHECK(json::encode(boost::json::value(std::numeric_limits<double>::quiet_NaN())) == "null");
  CHECK(json::to_value(std::numeric_limits<double>::infinity()).is_null());
  CHECK(json::decode<float>("1.5").value() == 1.5f);
  CHECK(json::encode(std::int8_t{-5}) == "-5");
}
