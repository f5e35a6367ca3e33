// syncline::money and syncline::timestamp: exact decimal amounts and RFC 3339 instants that
// keep the text they came from.
#include <syncline/core/money.hpp>
#include <syncline/core/timestamp.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace unity_json_money_timestamp_test {

using syncline::errc;
using syncline::money;
using syncline::timestamp;

namespace {
money m(std::string_view text) {
  auto r = money::parse(text);
  REQUIRE(r);
  return *r;
}
timestamp ts(std::string_view text) {
  auto r = timestamp::parse(text);
  REQUIRE(r);
  return *r;
}
}  // namespace

TEST_CASE("money keeps the exact decimal text it was given", "[money]") {
  for (const char* text : {"199.65", "0.00", "10", "10.0", "-5.25", "0.000000000000000001",
                           "999999999999999999", "-0.5", "0"}) {
    CHECK(m(text).to_string() == text);
  }
  CHECK(m("199.65").units() == 19965);
  CHECK(m("199.65").scale() == 2);
  CHECK(m("-0.00").to_string() == "0.00");  // negative zero has no sign to keep
}

TEST_CASE("money refuses every other form, saying what it expects", "[money]") {
  for (const char* text : {"", "-", "+1", "1e5", " 1", "1 ", "1.", ".5", "01", "00.5", "1,5",
                           "1.2.3", "0x10", "NaN", "--1", "1.-5"}) {
    INFO(text);
    const auto r = money::parse(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    CHECK(r.error().message.rfind("expected a decimal amount", 0) == 0);
  }
  CHECK(money::parse("1234567890123456789").error().message ==
        "expected a decimal amount of at most 18 digits");
  CHECK(money::parse("0.1234567890123456789").error().category == errc::invalid_input);
  CHECK(money::parse("0.0000000000000000001").error().category == errc::invalid_input);  // scale 19
  CHECK(money::parse("000000000000000000000").error().category == errc::invalid_input);
}

TEST_CASE("money compares by amount and adds exactly", "[money]") {
  CHECK(m("10.0") == m("10.00"));
  CHECK(m("10.0").to_string() != m("10.00").to_string());
  CHECK(m("0.1") + m("0.2") == m("0.3"));  // where doubles famously fail
  CHECK((m("0.1") + m("0.2")).to_string() == "0.3");
  CHECK((m("10.0") + m("0.25")).to_string() == "10.25");
  CHECK((m("199.00") + m("0.65")).to_string() == "199.65");
  CHECK((m("5") - m("7.50")).to_string() == "-2.50");
  CHECK((m("0.65") * 3).to_string() == "1.95");
  CHECK((3 * m("0.65")) == m("1.95"));
  CHECK((-m("1.5")).to_string() == "-1.5");
  CHECK(m("1.5") < m("1.50001"));
  CHECK(m("-1.5") < m("-1.2"));
  CHECK(m("-0.5") < m("0.2"));
  CHECK(m("-1.5") < m("-0.9"));
  CHECK(m("2") > m("1.99999999999999999"));
  CHECK(m("0.000000000000000002") > m("0.000000000000000001"));
  CHECK(m("999999999999999999") > m("0.000000000000000001"));
  money total;
  for (int i = 0; i < 1000; ++i) total += m("0.01");
  CHECK(total == m("10"));
  CHECK(total.to_string() == "10.00");
}

TEST_CASE("money overflow is an error value, or an exception from the operators", "[money]") {
  const money big = m("999999999999999999");  // 9 * big fits in 63 bits, 10 * big does not
  CHECK(money::checked_mul(big, 10).error().category == errc::invalid_input);
  CHECK(money::checked_mul(big, 9).has_value());
  CHECK_THROWS_AS(big * 10, std::overflow_error);
  const money tiny = m("0.000000000000000001");
  CHECK_FALSE(money::checked_add(big, tiny));  // rescaling big to 18 digits overflows
  CHECK(money::checked_sub(m("1"), m("0.5")).value() == m("0.5"));
  CHECK(money::from_units(19965, 2).value() == m("199.65"));
  CHECK_FALSE(money::from_units(1, 19));
  const money most_negative = *money::from_units(INT64_MIN, 0);
  CHECK(most_negative.to_string() == "-9223372036854775808");
  CHECK_THROWS_AS(-most_negative, std::overflow_error);
}

TEST_CASE("timestamps parse RFC 3339 and keep the text", "[timestamp]") {
  const timestamp t = ts("2026-01-15T10:04:27.612-05:00");
  CHECK(t.text() == "2026-01-15T10:04:27.612-05:00");
  CHECK(t.to_string() == "2026-01-15T10:04:27.612-05:00");
  CHECK(t.utc_offset() == std::chrono::minutes(-300));
  using namespace std::chrono;
  const auto expected = sys_days{2026y / January / 15} + 15h + 4min + 27s + 612ms;
  CHECK(t.instant() == expected);

  const timestamp header = ts("2023-03-29T18:00:27.877041743Z");  // X-Shopify-Triggered-At
  CHECK(header.instant().time_since_epoch().count() % 1'000'000'000 == 877041743);
  CHECK(ts("2026-01-15t10:04:27z").text() == "2026-01-15t10:04:27z");
  CHECK(ts("2026-01-15 10:04:27+00:00") == ts("2026-01-15T10:04:27Z"));
  CHECK(ts("2024-02-29T00:00:00Z").instant() == sys_days{2024y / February / 29});
  CHECK(ts("1970-01-01T00:00:00Z").instant().time_since_epoch().count() == 0);
  CHECK(timestamp{}.text() == "1970-01-01T00:00:00Z");
}

TEST_CASE("timestamps compare by instant, whatever the offset", "[timestamp]") {
  CHECK(ts("2026-01-15T15:00:00Z") == ts("2026-01-15T10:00:00-05:00"));
  CHECK(ts("2026-01-15T15:00:00Z") == ts("2026-01-16T00:30:00+09:30"));
  CHECK(ts("2026-01-15T15:00:00.000000001Z") > ts("2026-01-15T10:00:00-05:00"));
  CHECK(ts("2026-01-15T10:00:00-05:00") < ts("2026-01-15T10:00:00-06:00"));
}

TEST_CASE("timestamps refuse what is not RFC 3339, saying why", "[timestamp]") {
  auto why = [](std::string_view text) {
    const auto r = timestamp::parse(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == errc::invalid_input);
    return r.error().message;
  };
  CHECK(why("2026-01-15") == R"(expected an RFC 3339 timestamp like "2024-01-15T10:00:00-05:00")");
  CHECK(
      why("2026-01-15T10:04:27") ==
      R"(expected an RFC 3339 timestamp like "2024-01-15T10:00:00-05:00" (the offset must be Z or +HH:MM))");
  CHECK(why("2026-02-30T10:04:27Z").find("no such date") != std::string::npos);
  CHECK(why("2025-02-29T10:04:27Z").find("no such date") != std::string::npos);
  CHECK(why("2026-13-01T10:04:27Z").find("no such date") != std::string::npos);
  CHECK(why("2026-01-15T24:00:00Z").find("time of day") != std::string::npos);
  CHECK(why("2026-01-15T23:60:00Z").find("time of day") != std::string::npos);
  CHECK(why("2016-12-31T23:59:60Z").find("leap seconds") != std::string::npos);
  CHECK(why("2026-01-15T10:04:27.Z").find("'.' needs digits") != std::string::npos);
  CHECK(why("2026-01-15T10:04:27.1234567891Z").find("more than 9") != std::string::npos);
  CHECK(why("2026-01-15T10:04:27+24:00").find("offset out of range") != std::string::npos);
  CHECK(why("2026-01-15T10:04:27+0500").find("offset must be") != std::string::npos);
  CHECK(why("2026-01-15T10:04:27Zjunk").find("expected an RFC 3339") == 0);
  CHECK(why("1600-01-01T00:00:00Z").find("year outside") != std::string::npos);
  CHECK(why("9999-12-31T23:59:59Z").find("year outside") != std::string::npos);
  CHECK(why("2026-1-15T10:04:27Z").find("expected an RFC 3339") == 0);
  CHECK(why("+026-01-15T10:04:27Z").find("expected an RFC 3339") == 0);
}

TEST_CASE("timestamp::now is UTC with nanoseconds and parses back to itself", "[timestamp]") {
  const timestamp now = timestamp::now();
  CHECK(now.text().back() == 'Z');
  const auto again = timestamp::parse(now.text());
  REQUIRE(again);
  CHECK(*again == now);
  using namespace std::chrono;
  const timestamp whole = timestamp::from_time_point(sys_days{2026y / March / 1} + 1h);
  CHECK(whole.text() == "2026-03-01T01:00:00Z");
  const timestamp fine = timestamp::from_time_point(sys_days{2026y / March / 1} + 5ns);
  CHECK(fine.text() == "2026-03-01T00:00:00.000000005Z");
  // A shop's local time, as REST bodies carry it: same instant, its own offset.
  const auto instant = sys_days{2026y / January / 15} + 15h + 4min + 27s;
  const timestamp local = timestamp::from_time_point(instant, -5h);
  CHECK(local.text() == "2026-01-15T10:04:27-05:00");
  CHECK(local.utc_offset() == -5h);
  CHECK(local == timestamp::from_time_point(instant));
  CHECK(timestamp::parse(local.text()).value().instant() == local.instant());
  CHECK(timestamp::from_time_point(instant, 9h + 30min).text() == "2026-01-16T00:34:27+09:30");
  CHECK(timestamp::from_time_point(sys_days{2026y / January / 1}, -30min).text() ==
        "2025-12-31T23:30:00-00:30");
}

}  // namespace unity_json_money_timestamp_test
