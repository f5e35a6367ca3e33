// The code docs/json.md quotes: a described record to and from JSON, a renamed key and a renamed
// enumerator. Exits non-zero if any claim of the page does not hold.
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/enum_names.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <string_view>

struct note_attribute {
  std::string name;
  std::string value;
};
BOOST_DESCRIBE_STRUCT(note_attribute, (), (name, value))

// "default" is a C++ keyword: the member has another name, the JSON key keeps Shopify's.
struct address {
  std::string city;
  std::optional<bool> is_default;
};
BOOST_DESCRIBE_STRUCT(address, (), (city, is_default))

template <>
struct syncline::json::key_names<address> {
  static constexpr syncline::json::member_key renames[] = {{"is_default", "default"}};
};

enum class transaction_kind { authorization, capture, sale, void_, refund };
BOOST_DESCRIBE_ENUM(transaction_kind, authorization, capture, sale, void_, refund)

template <>
struct syncline::json::enum_names<transaction_kind> {
  static constexpr syncline::json::enum_name<transaction_kind> renames[] = {
      {transaction_kind::void_, "void"}};
};

namespace {
int failures = 0;

void expect(bool ok, std::string_view what) {
  std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
  if (!ok) ++failures;
}

// The decode/encode round trip, as a function that passes a failure on.
syncline::result<std::string> round_trip(std::string_view json) {
  syncline::result<note_attribute> a = syncline::json::decode<note_attribute>(json);
  if (!a) return a.error();                       // e.g. "/value: expected string, got number 1"
  std::string text = syncline::json::encode(*a);  // {"name":"gift_wrap","value":"yes"}
  return text;
}
}  // namespace

int main() {
  auto good = round_trip(R"({"name": "gift_wrap", "value": "yes"})");
  expect(good && *good == R"({"name":"gift_wrap","value":"yes"})", "decode then encode");
  auto bad = round_trip(R"({"name": "gift_wrap", "value": 1})");
  expect(!bad && bad.error().category == syncline::errc::decode &&
             bad.error().message.find("/value") != std::string::npos,
         "a wrong type is an error naming its JSON pointer: " +
             (bad ? std::string("(none)") : bad.error().message));

  auto home = syncline::json::decode<address>(R"({"city": "Oslo", "default": true})");
  expect(home && home->is_default == true, "the key \"default\" fills address::is_default");
  expect(home && syncline::json::encode(*home) == R"({"city":"Oslo","default":true})",
         "and is written back as \"default\"");

  auto kind = syncline::json::decode<transaction_kind>(R"("void")");
  expect(kind && *kind == transaction_kind::void_, "\"void\" decodes to transaction_kind::void_");
  expect(syncline::json::encode(transaction_kind::sale) == R"("sale")",
         "other enumerators keep their names");

  std::cout << (failures == 0 ? "all checks passed\n" : "some checks FAILED\n");
  return failures == 0 ? 0 : 1;
}
