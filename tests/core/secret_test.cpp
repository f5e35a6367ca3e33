#include <syncline/core/secret.hpp>

#include <catch2/catch.hpp>

#include <sstream>

namespace unity_core_secret_test {

TEST_CASE("a secret never prints its value", "[secret]") {
  const syncline::secret token("shpat_0123456789abcdef");
  std::ostringstream os;
  os << "token=" << token;
  CHECK(os.str() == "token=***");
  CHECK(to_string(token) == "***");
  CHECK(token.reveal() == "shpat_0123456789abcdef");
  CHECK_FALSE(token.empty());
  CHECK(syncline::secret{}.empty());
}

}  // namespace unity_core_secret_test
