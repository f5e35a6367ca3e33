#include <syncline/core/result.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace unity_core_result_test {

using syncline::errc;
using syncline::result;

TEST_CASE("result holds a value or an error", "[result]") {
  result<std::string> ok = std::string("x");
  REQUIRE(ok.has_value());
  CHECK(*ok == "x");
  CHECK(ok->size() == 1);

  result<std::string> bad = syncline::make_error(errc::decode, "/a: expected integer");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().category == errc::decode);
  CHECK(to_string(bad.error()) == "decode: /a: expected integer");
}

TEST_CASE("result moves values out, including move-only ones", "[result]") {
  result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  REQUIRE(p);
  CHECK(*p == 7);
}

TEST_CASE("result<void> reports success or error", "[result]") {
  result<void> ok;
  CHECK(ok.has_value());
  result<void> bad = syncline::make_error(errc::timeout, "connect to 127.0.0.1:1 took over 1s");
  CHECK_FALSE(bad);
  CHECK(syncline::is_transient(bad.error().category));
  CHECK_FALSE(syncline::is_transient(errc::decode));
}

}  // namespace unity_core_result_test
