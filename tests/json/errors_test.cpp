// Every way a JSON text can fail to become a record is an error value whose message says where
// (the JSON pointer) and what was expected; none of them throws or crashes.
#include <syncline/core/money.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>

#include <boost/describe.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace errors {

enum class status { pending, paid };
BOOST_DESCRIBE_ENUM(status, pending, paid)

struct item {
  std::int64_t id = 0;
  std::int32_t quantity = 0;
  std::optional<std::string> sku;
};
BOOST_DESCRIBE_STRUCT(item, (), (id, quantity, sku))

struct order {
  std::int64_t id = 0;
  std::string name;
  std::vector<item> line_items;
  std::optional<status> financial_status;
  std::optional<syncline::money> total_price;
};
BOOST_DESCRIBE_STRUCT(order, (), (id, name, line_items, financial_status, total_price))

struct weird_keys {
  std::int32_t slash = 0;
  std::int32_t tilde = 0;
};
BOOST_DESCRIBE_STRUCT(weird_keys, (), (slash, tilde))

}  // namespace errors

template <>
struct syncline::json::key_names<errors::weird_keys> {
  static constexpr member_key renames[] = {{"slash", "a/b"}, {"tilde", "m~n"}};
};

using namespace errors;
namespace json = syncline::json;
using syncline::errc;

namespace {

template <class T = order>
syncline::error decode_error(std::string_view text, const json::limits& lim = {}) {
  auto r = json::decode<T>(text, lim);
  REQUIRE_FALSE(r);
  return r.error();
}

// The same text through the DOM path must fail with the same message.
template <class T = order>
void check_same_through_dom(std::string_view text) {
  const auto dom = json::parse(text);
  REQUIRE(dom);
  const auto via_dom = json::decode<T>(*dom);
  REQUIRE_FALSE(via_dom);
  CHECK(via_dom.error() == decode_error<T>(text));
}

const std::string valid_order =
    R"({"id": 1, "name": "#1001", "line_items": [{"id": 11, "quantity": 1}, )"
    R"({"id": 12, "quantity": 2}, {"id": 13, "quantity": 3}]})";

}  // namespace

TEST_CASE("a value of the wrong type names its pointer and what was expected", "[json][errors]") {
  const std::string text = R"({"id": 1, "name": "#1001", "line_items": [{"id": 11, "quantity": 1},)"
                           R"( {"id": 12, "quantity": 2}, {"id": 13, "quantity": "2"}]})";
  const auto e = decode_error(text);
  CHECK(e.category == errc::decode);
  CHECK(e.message == R"(/line_items/2/quantity: expected integer, got string "2")");
  check_same_through_dom(text);

  CHECK(decode_error(R"({"id": 1, "name": 5, "line_items": []})").message ==
        "/name: expected string, got number 5");
  CHECK(decode_error(R"({"id": 1, "name": "n", "line_items": {}})").message ==
        "/line_items: expected array, got object");
  CHECK(decode_error(R"([1])").message == "(root): expected object, got array");
  CHECK(decode_error(R"({"id": null, "name": "n", "line_items": []})").message ==
        "/id: expected integer, got null");
  CHECK(decode_error(R"({"id": true, "name": "n", "line_items": []})").message ==
        "/id: expected integer, got true");
}

TEST_CASE("missing required keys are all named, at the object that lacks them", "[json][errors]") {
  CHECK(decode_error(R"({"name": "#1"})").message ==
        R"((root): missing required keys "id", "line_items")");
  const std::string one = R"({"id": 1, "name": "n", "line_items": [{"id": 1, "quantity": 1}, )"
                          R"({"id": 2}]})";
  CHECK(decode_error(one).message == R"(/line_items/1: missing required key "quantity")");
  check_same_through_dom(one);
}

TEST_CASE("an unknown enum value lists the accepted names", "[json][errors]") {
  const auto e =
      decode_error(R"({"id": 1, "name": "n", "line_items": [], "financial_status": "authorised"})");
  CHECK(e.message ==
        R"(/financial_status: expected one of "pending", "paid", got string "authorised")");
}

TEST_CASE("numbers out of range or not integers are errors naming the field", "[json][errors]") {
  auto item_error = [](std::string_view quantity) {
    return decode_error<item>(std::string(R"({"id": 1, "quantity": )") + std::string(quantity) +
                              "}")
        .message;
  };
  CHECK(item_error("3000000000") ==
        "/quantity: expected integer in [-2147483648, 2147483647], got number 3000000000");
  CHECK(item_error("-2147483649") ==
        "/quantity: expected integer in [-2147483648, 2147483647], got number -2147483649");
  CHECK(item_error("2.0") == "/quantity: expected integer, got number 2.0");
  CHECK(item_error("2e0") == "/quantity: expected integer, got number 2e0");
  CHECK(decode_error<item>(R"({"id": 9223372036854775808, "quantity": 1})").message ==
        "/id: expected integer in [-9223372036854775808, 9223372036854775807], got number "
        "9223372036854775808");
  CHECK(decode_error<item>(R"({"id": 18446744073709551616, "quantity": 1})").message ==
        "/id: expected integer in [-9223372036854775808, 9223372036854775807], got number "
        "18446744073709551616");
  CHECK(json::decode<std::uint8_t>("256").error().message ==
        "(root): expected integer in [0, 255], got number 256");
  CHECK(json::decode<std::uint64_t>("-1").error().category == errc::decode);
  CHECK(json::decode<double>("1e400").error().message ==
        "(root): expected a number within the range of double, got number 1e400");
  CHECK(json::decode<float>("1e39").error().category == errc::decode);
  CHECK(json::parse("[1e400]").error().message ==
        "/0: number out of the range of a double, got number 1e400");
}

TEST_CASE("money accepts only its decimal string form", "[json][errors][money]") {
  auto money_error = [](std::string_view v) {
    return decode_error(std::string(R"({"id":1,"name":"n","line_items":[],"total_price":)") +
                        std::string(v) + "}")
        .message;
  };
  // A JSON number reached Boost.JSON as a double already: refusing it keeps money exact.
  CHECK(money_error("199.65") == "/total_price: expected string, got number 199.65");
  CHECK(money_error(R"("1e5")") ==
        R"(/total_price: expected a decimal amount like "199.65" (digits, optional '-' and )"
        R"('.'), got string "1e5")");
  CHECK(money_error(R"("12345678901234567890")").find("at most 18 digits") != std::string::npos);
}

TEST_CASE("invalid JSON is errc::invalid_input with the byte and the place", "[json][errors]") {
  SECTION("syntax") {
    const auto e = decode_error(R"({"id": 1, "name" "n"})");
    CHECK(e.category == errc::invalid_input);
    CHECK(e.message == R"(invalid JSON: syntax error at byte 17 ("\x22") (near /name))");
  }
  SECTION("truncated input") {
    const std::string cut = valid_order.substr(0, 60);  // inside the key "quantity"
    const auto e = decode_error(cut);
    CHECK(e.category == errc::invalid_input);
    CHECK(e.message ==
          "invalid JSON: the text ends after 60 bytes, before the value is complete "
          "(near /line_items/0/id)");
    CHECK(decode_error("").message ==
          "invalid JSON: the text ends after 0 bytes, before the value is complete");
  }
  SECTION("trailing garbage") {
    const auto e = decode_error(valid_order + " x");
    CHECK(e.category == errc::invalid_input);
    CHECK(e.message == "invalid JSON: unexpected data after the value at byte " +
                           std::to_string(valid_order.size() + 1) + " (\"x\")");
    CHECK(json::decode<order>(valid_order + " \n\t "));  // trailing whitespace is fine
    CHECK(decode_error(valid_order + valid_order).category == errc::invalid_input);
  }
  SECTION("invalid UTF-8") {
    for (std::string bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
      const auto e = decode_error(R"({"id": 1, "name": "ab)" + bad + R"(", "line_items": []})");
      CHECK(e.category == errc::invalid_input);
      INFO(e.message);
      CHECK(e.message.rfind("invalid JSON: invalid UTF-8 at byte 21 (near /name)", 0) == 0);
    }
    CHECK(decode_error(R"({"id": 1, "name": "\ud800", "line_items": []})").category ==
          errc::invalid_input);  // a lone surrogate escape
  }
  SECTION("not JSON at all") {
    CHECK(decode_error("{'id': 1}").category == errc::invalid_input);
    CHECK(decode_error(R"({"id": 1,})").category == errc::invalid_input);  // trailing comma
    CHECK(decode_error("/* c */ {}").category == errc::invalid_input);     // comments
    CHECK(decode_error("NaN").category == errc::invalid_input);
  }
}

TEST_CASE("duplicate keys are refused, known or not, at any depth", "[json][errors]") {
  CHECK(decode_error(R"({"id": 1, "name": "a", "name": "b", "line_items": []})").message ==
        R"((root): duplicate key "name")");
  CHECK(decode_error(R"({"id": 1, "name": "a", "line_items": [], "x": 1, "x": 2})").message ==
        R"((root): duplicate key "x")");
  CHECK(decode_error(R"({"id": 1, "name": "a", "line_items": [{"id": 1, "quantity": 1, "id": 1}]})")
            .message == R"(/line_items/0: duplicate key "id")");
  CHECK(decode_error(R"({"id": 1, "name": "a", "line_items": [], "skip": {"k": {"z": 1, "z": 1}}})")
            .message == R"(/skip/k: duplicate key "z")");
  const auto e = json::parse(R"({"a": [{"b": 1, "b": 2}]})");
  REQUIRE_FALSE(e);
  CHECK(e.error().category == errc::invalid_input);
  CHECK(e.error().message == R"(/a/0: duplicate key "b")");
  // Many keys in one object: still each checked.
  std::string many = "{";
  for (int i = 0; i < 2000; ++i)
    many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  CHECK(json::parse(many + R"("k0":0})").error().message == R"((root): duplicate key "k0")");
  CHECK(json::parse(many + R"("last":0})"));
}

TEST_CASE("pointers escape '/' and '~' (RFC 6901)", "[json][errors]") {
  CHECK(decode_error<weird_keys>(R"({"a/b": "1", "m~n": 1})").message ==
        "/a~1b: expected integer, got string \"1\"");
  CHECK(decode_error<weird_keys>(R"({"a/b": 1, "m~n": []})").message ==
        "/m~0n: expected integer, got array");
}

TEST_CASE("limits: size, depth and string length are configurable errors", "[json][errors]") {
  SECTION("max_bytes") {
    const auto e = decode_error(valid_order, {.max_bytes = 64});
    CHECK(e.category == errc::limit_exceeded);
    CHECK(e.message == "JSON text of " + std::to_string(valid_order.size()) +
                           " bytes is over the limit of 64 bytes (json::limits::max_bytes)");
    CHECK(json::decode<order>(valid_order, {.max_bytes = valid_order.size()}));
    CHECK(json::parse(valid_order, {.max_bytes = 10}).error().category == errc::limit_exceeded);
  }
  SECTION("max_depth, also inside values nobody reads") {
    const std::string deep = R"({"id": 1, "name": "n", "line_items": [], "x": )" +
                             std::string(100, '[') + std::string(100, ']') + "}";
    const auto e = decode_error(deep);
    CHECK(e.category == errc::limit_exceeded);
    CHECK(e.message ==
          "/x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"
          "0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nesting deeper than "
          "64 levels (json::limits::max_depth)");
    CHECK(json::decode<order>(deep, {.max_depth = 128}));
    CHECK(decode_error(valid_order, {.max_depth = 2}).category == errc::limit_exceeded);
    CHECK(json::decode<order>(valid_order, {.max_depth = 3}));
    // A DOM deeper than the default limit is refused by decode(value) the same way.
    const auto dom = json::parse(deep, {.max_depth = 200});
    REQUIRE(dom);
    CHECK(json::decode<order>(*dom).error() == e);
    // Hostile depth far past any limit: an error, not a stack overflow.
    CHECK(json::parse(std::string(1'000'000, '[')).error().category == errc::limit_exceeded);
  }
  SECTION("max_string, for values and keys, before they are stored") {
    const std::string long_name =
        R"({"id": 1, "name": ")" + std::string(100, 'a') + R"(", "line_items": []})";
    const auto e = decode_error(long_name, {.max_string = 99});
    CHECK(e.category == errc::limit_exceeded);
    CHECK(e.message == "/name: string longer than 99 bytes (json::limits::max_string)");
    CHECK(json::decode<order>(long_name, {.max_string = 100}));
    const std::string escaped =
        R"({"id": 1, "line_items": [], "name": ")" + std::string(5000, 'a') + R"(\n"})";
    CHECK(decode_error(escaped, {.max_string = 4096}).category == errc::limit_exceeded);
    const std::string long_key = R"({"id": 1, ")" + std::string(300, 'k') + R"(": 1})";
    CHECK(decode_error(long_key, {.max_string = 256}).message ==
          "(root): key longer than 256 bytes (json::limits::max_string)");
    CHECK(decode_error<std::vector<std::string>>(R"(["a", "bbbb"])", {.max_string = 3}).message ==
          "/1: string longer than 3 bytes (json::limits::max_string)");
  }
}

TEST_CASE("messages quote at most a few bytes of a value, printable", "[json][errors]") {
  const std::string secretish = "shpat_0123456789abcdef0123456789abcdef";
  const auto e = decode_error<item>(R"({"id": ")" + secretish + R"(", "quantity": 1})");
  CHECK(e.message ==
        R"(/id: expected integer, got string "shpat_0123456789abcdef01"... (38 bytes))");
  CHECK(decode_error<item>("{\"id\": \"a\\u0001\\\"\", \"quantity\": 1}").message ==
        R"(/id: expected integer, got string "a\x01\x22")");
}
