#include <syncline/http/hmac.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace unity_http_hmac_test {

using namespace syncline::http;

namespace {
// An independent reference: the openssl command line, as Shopify's docs suggest.
std::string openssl_hmac_base64(const std::string& key, const std::string& body) {
  std::string cmd =
      "printf '%s' '" + body + "' | openssl dgst -sha256 -hmac '" + key + "' -binary | base64";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(p);
  char buf[256] = {};
  std::string out;
  while (fgets(buf, sizeof buf, p.get())) out += buf;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2", "[hmac]") {
  CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("Shopify-style signature matches the openssl command line", "[hmac]") {
  const std::string body = R"({"id":820982911946154508,"total_price":"199.65"})";
  const std::string secret = "hush-client-secret";
  const std::string expected = openssl_hmac_base64(secret, body);
  CHECK(hmac_sha256_base64(secret, body) == expected);
  CHECK(verify_hmac_sha256_base64(secret, body, expected));
  CHECK_FALSE(verify_hmac_sha256_base64("other-secret", body, expected));
  CHECK_FALSE(verify_hmac_sha256_base64(secret, body + " ", expected));
  CHECK_FALSE(verify_hmac_sha256_base64(secret, body, ""));
}

TEST_CASE("Base64 round-trips and rejects non-canonical text", "[hmac]") {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto enc = base64_encode(s);
    auto dec = base64_decode(enc);
    REQUIRE(dec);
    CHECK(*dec == s);
  }
  CHECK(base64_encode(std::string_view("foobar")) == "Zm9vYmFy");
  CHECK_FALSE(base64_decode("abc"));
  CHECK_FALSE(base64_decode("a$c="));
}

TEST_CASE("base64url (JWT) round-trips without padding and rejects plain Base64", "[hmac]") {
  // RFC 4648 section 10 vectors, in the URL alphabet without padding.
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\xbf\x00"}) {
    auto d = base64url_decode(base64url_encode(s));
    REQUIRE(d);
    CHECK(*d == s);
  }
  CHECK_FALSE(base64url_decode("Zg=="));   // padding
  CHECK_FALSE(base64url_decode("+/+/"));   // plain Base64's alphabet
  CHECK_FALSE(base64url_decode("Z"));      // no encoding is 1 mod 4 long
  CHECK_FALSE(base64url_decode("Zm9v!"));  // outside the alphabet
}

}  // namespace unity_http_hmac_test
