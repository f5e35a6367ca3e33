// crypto::keyring: the format of key files and variables, the ssh-like mode check, and that no
// key byte reaches an error or the printed form.
#include <syncline/crypto/keyring.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace unity_crypto_keyring_test {

namespace {

namespace crypto = syncline::crypto;
namespace fs = std::filesystem;

// "id:base64" of 32 bytes of `fill`: known bytes, so a test can look for them in a message.
std::string entry(const std::string& id, char fill = 'k', std::size_t size = 32) {
  return id + ":" + syncline::http::base64_encode(std::string(size, fill));
}

fs::path write_key_file(const syncline::testing::temp_dir& dir, const std::string& text,
                        fs::perms mode) {
  const fs::path p = dir.file("keys");
  std::ofstream(p) << text;
  fs::permissions(p, mode);
  return p;
}

}  // namespace

TEST_CASE("crypto: the first entry is the current key, the others are kept for opening") {
  auto ring = crypto::keyring::parse(
      "# rotated on 2026-12-01\n" + entry("k2", 'b') + "\n\n" + entry("k1", 'a') + "\n", "test");
  REQUIRE(ring);
  CHECK(ring->current_id() == "k2");
  CHECK(ring->ids() == std::vector<std::string>{"k2", "k1"});
  REQUIRE(ring->reveal("k1"));
  CHECK((*ring->reveal("k1"))[0] == 'a');
  CHECK(ring->reveal("k3") == nullptr);
}

TEST_CASE("crypto: entries may be separated by commas, as in one environment variable") {
  auto ring = crypto::keyring::parse(entry("new") + ", " + entry("old", 'o'), "test");
  REQUIRE(ring);
  CHECK(ring->ids() == std::vector<std::string>{"new", "old"});
}

TEST_CASE("crypto: a keyring prints its ids, never a key byte") {
  auto ring = crypto::keyring::parse(entry("k2", 'b') + "\n" + entry("k1", 'a'), "test");
  REQUIRE(ring);
  std::ostringstream os;
  os << *ring;
  CHECK(os.str() == "keyring{current k2; k2, k1}");
  CHECK(to_string(*ring) == os.str());
}

TEST_CASE("crypto: every malformed keyring is an error that names the place, not the key") {
  const std::string key_b64 = syncline::http::base64_encode(std::string(32, 'k'));
  struct bad_case {
    std::string text;
    std::string message;
  };
  const bad_case cases[] = {
      {"", "test holds no key"},
      {"# only a comment\n\n", "test holds no key"},
      {entry("k1") + "\n" + key_b64,
       "test, line 2: expected key_id:base64(32 bytes), found no ':'"},
      {entry("k1", 'k', 16), "test, line 1: key \"k1\" is 16 bytes, AES-256 needs 32"},
      {entry("k1", 'k', 33), "test, line 1: key \"k1\" is 33 bytes, AES-256 needs 32"},
      {"k1:not base64!", "test, line 1: key \"k1\" is not valid base64"},
      {entry("k1") + "\n" + entry("k1", 'x'), "test, line 2: key id \"k1\" is given twice"},
      {entry("k1") + "," + entry("k 2"), "test, line 1, entry 2: a key id is 1-64 of"},
      {":" + key_b64, "test, line 1: a key id is 1-64 of"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto ring = crypto::keyring::parse(c.text, "test");
    REQUIRE_FALSE(ring);
    CHECK(ring.error().category == syncline::errc::invalid_input);
    CHECK_THAT(ring.error().message, Catch::Matchers::StartsWith(c.message));
    CHECK(ring.error().message.find(key_b64) == std::string::npos);
    CHECK(ring.error().message.find("a2tr") == std::string::npos);  // base64 of "kkk"
  }
}

TEST_CASE("crypto: a key file readable only by its owner loads") {
  syncline::testing::temp_dir dir("syncline-keys");
  const auto path =
      write_key_file(dir, entry("k1") + "\n", fs::perms::owner_read | fs::perms::owner_write);
  auto ring = crypto::keyring::from_file(path);
  REQUIRE(ring);
  CHECK(ring->current_id() == "k1");
}

TEST_CASE("crypto: a key file that group or others may read is refused, as ssh does") {
  syncline::testing::temp_dir dir("syncline-keys");
  for (fs::perms extra : {fs::perms::group_read, fs::perms::others_read, fs::perms::group_write,
                          fs::perms::others_exec}) {
    const auto path = write_key_file(dir, entry("k1"), fs::perms::owner_read | extra);
    auto ring = crypto::keyring::from_file(path);
    REQUIRE_FALSE(ring);
    CHECK(ring.error().category == syncline::errc::invalid_input);
    CHECK_THAT(ring.error().message,
               Catch::Matchers::Contains("may be read or written by group or others") &&
                   Catch::Matchers::Contains("chmod 600"));
  }
  const auto path = write_key_file(
      dir, entry("k1"), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto ring = crypto::keyring::from_file(path);
  REQUIRE_FALSE(ring);
  CHECK_THAT(ring.error().message, Catch::Matchers::Contains("(mode 0444)"));
}

TEST_CASE("crypto: a missing key file, and a bad entry in one, name the file") {
  syncline::testing::temp_dir dir("syncline-keys");
  auto missing = crypto::keyring::from_file(dir.file("nope"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().category == syncline::errc::not_found);
  CHECK_THAT(missing.error().message, Catch::Matchers::Contains("nope: no such file"));

  const auto path = write_key_file(dir, "\n" + entry("k1", 'k', 31), fs::perms::owner_read);
  auto bad = crypto::keyring::from_file(path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "key file " + path.string() + ", line 2: key \"k1\" is 31 bytes, AES-256 needs 32");

  auto dir_itself = crypto::keyring::from_file(dir.path());
  REQUIRE_FALSE(dir_itself);
  CHECK_THAT(dir_itself.error().message, Catch::Matchers::EndsWith("not a regular file"));
}

TEST_CASE("crypto: keys from an environment variable") {
  const std::string name = "SYNCLINE_TEST_KEYS_" + std::to_string(::getpid());
  ::unsetenv(name.c_str());
  auto unset = crypto::keyring::from_env(name.c_str());
  REQUIRE_FALSE(unset);
  CHECK(unset.error().category == syncline::errc::not_found);
  CHECK(unset.error().message == "environment variable " + name + " is not set");

  REQUIRE(::setenv(name.c_str(), (entry("k2", 'b') + "," + entry("k1", 'a')).c_str(), 1) == 0);
  auto ring = crypto::keyring::from_env(name.c_str());
  REQUIRE(ring);
  CHECK(ring->ids() == std::vector<std::string>{"k2", "k1"});

  REQUIRE(::setenv(name.c_str(), entry("k1", 'a', 24).c_str(), 1) == 0);
  auto short_key = crypto::keyring::from_env(name.c_str());
  REQUIRE_FALSE(short_key);
  CHECK(short_key.error().message ==
        "environment variable " + name + ", line 1: key \"k1\" is 24 bytes, AES-256 needs 32");
  ::unsetenv(name.c_str());
}

TEST_CASE("crypto: generate_entry makes a fresh 32-byte key in the keyring's format") {
  auto a = crypto::keyring::generate_entry("k3");
  auto b = crypto::keyring::generate_entry("k3");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->reveal() != b->reveal());
  CHECK(a->reveal().substr(0, 3) == "k3:");
  auto ring = crypto::keyring::parse(a->reveal(), "generated");
  REQUIRE(ring);
  CHECK(ring->current_id() == "k3");

  auto bad = crypto::keyring::generate_entry("k3:x");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().category == syncline::errc::invalid_input);
}

}  // namespace unity_crypto_keyring_test
