// crypto::seal / unseal / reseal: AES-256-GCM envelopes, their errors, and key rotation.
#include <syncline/crypto/keyring.hpp>
#include <syncline/crypto/sealed.hpp>
#include <syncline/http/hmac.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace unity_crypto_sealed_test {

namespace {

namespace crypto = syncline::crypto;
using syncline::secret;

crypto::keyring ring_of(const std::string& text) {
  auto ring = crypto::keyring::parse(text, "test");
  REQUIRE(ring);
  return std::move(*ring);
}

std::string entry(const std::string& id, char fill) {
  return id + ":" + syncline::http::base64_encode(std::string(32, fill));
}

const crypto::associated_data acme{"shopify_sync", "acme.myshopify.com"};
const secret token{"shpat_0123456789abcdef0123456789abcdef"};

// The envelope's data (nonce | ciphertext | tag), decoded.
std::string data_of(const std::string& envelope) {
  auto bytes = syncline::http::base64_decode(envelope.substr(envelope.rfind(':') + 1));
  REQUIRE(bytes);
  return *bytes;
}

std::string with_data(const std::string& envelope, const std::string& data) {
  return envelope.substr(0, envelope.rfind(':') + 1) + syncline::http::base64_encode(data);
}

}  // namespace

TEST_CASE("crypto: a sealed secret opens with the same keyring and associated data") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto envelope = crypto::seal(ring, token, acme);
  REQUIRE(envelope);
  CHECK(envelope->rfind("sealed:v1:k1:", 0) == 0);
  CHECK(envelope->find(token.reveal()) == std::string::npos);
  // 12-byte nonce, the ciphertext as long as the plaintext, a 16-byte tag.
  CHECK(data_of(*envelope).size() == 12 + token.reveal().size() + 16);
  auto opened = crypto::unseal(ring, *envelope, acme);
  REQUIRE(opened);
  CHECK(*opened == token);
  auto id = crypto::sealed_key_id(*envelope);
  REQUIRE(id);
  CHECK(*id == "k1");
}

TEST_CASE("crypto: an empty secret seals and opens too") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto envelope = crypto::seal(ring, secret{}, acme);
  REQUIRE(envelope);
  auto opened = crypto::unseal(ring, *envelope, acme);
  REQUIRE(opened);
  CHECK(opened->empty());
}

TEST_CASE("crypto: every seal draws a new nonce") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto a = crypto::seal(ring, token, acme);
  auto b = crypto::seal(ring, token, acme);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a != *b);
  CHECK(data_of(*a).substr(0, 12) != data_of(*b).substr(0, 12));
}

TEST_CASE("crypto: an envelope moved to another row does not open there") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto envelope = crypto::seal(ring, token, acme);
  REQUIRE(envelope);
  for (const crypto::associated_data& other :
       {crypto::associated_data{"shopify_sync", "other.myshopify.com"},
        crypto::associated_data{"another_integration", "acme.myshopify.com"},
        // The same bytes split differently is another binding.
        crypto::associated_data{"shopify_syncacme.myshopify.com"}, crypto::associated_data{}}) {
    auto opened = crypto::unseal(ring, *envelope, other);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().category == syncline::errc::unauthorized);
  }
}

TEST_CASE("crypto: a wrong key or a changed byte is 'wrong key or tampered', never garbage") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto envelope = crypto::seal(ring, token, acme);
  REQUIRE(envelope);

  // The same id with other bytes: a wrong key file.
  const auto wrong = ring_of(entry("k1", 'b'));
  auto opened = crypto::unseal(wrong, *envelope, acme);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().category == syncline::errc::unauthorized);
  CHECK(opened.error().message ==
        "sealed secret (key k1) does not open: wrong key or tampered, or sealed for another row");

  // Any one bit of nonce, ciphertext or tag.
  const std::string data = data_of(*envelope);
  for (std::size_t at : {std::size_t{0}, std::size_t{11}, std::size_t{12}, data.size() - 17,
                         data.size() - 16, data.size() - 1}) {
    std::string changed = data;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    auto r = crypto::unseal(ring, with_data(*envelope, changed), acme);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::unauthorized);
  }
}

TEST_CASE("crypto: the key id is authenticated: relabelling an envelope does not open it") {
  const auto ring = ring_of(entry("k2", 'a') + "\n" + entry("k1", 'a'));  // same bytes, two ids
  auto envelope = crypto::seal(ring, token, acme);
  REQUIRE(envelope);
  std::string relabelled = *envelope;
  relabelled.replace(0, std::string("sealed:v1:k2").size(), "sealed:v1:k1");
  auto r = crypto::unseal(ring, relabelled, acme);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::unauthorized);
}

TEST_CASE("crypto: an unknown key id is named, with the ids the keyring holds") {
  const auto old_ring = ring_of(entry("k0", 'z'));
  auto envelope = crypto::seal(old_ring, token, acme);
  REQUIRE(envelope);
  const auto ring = ring_of(entry("k2", 'b') + "\n" + entry("k1", 'a'));
  auto r = crypto::unseal(ring, *envelope, acme);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::not_found);
  CHECK(r.error().message ==
        "sealed secret needs key \"k0\", which the keyring does not hold (it holds k2, k1)");
}

TEST_CASE("crypto: what is not an envelope is invalid_input, and never quoted") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto envelope = crypto::seal(ring, token, acme);
  REQUIRE(envelope);
  const std::string data = data_of(*envelope);
  struct bad_case {
    std::string envelope;
    std::string message;
  };
  const bad_case cases[] = {
      {std::string(token.reveal()), "not a sealed secret: expected sealed:v1:<key id>:<data>"},
      {"", "not a sealed secret: expected sealed:v1:<key id>:<data>"},
      {"sealed:v1", "not a sealed secret: expected sealed:v1:<key id>:<data>"},
      {"sealed:v1:k1", "not a sealed secret: expected sealed:v1:<key id>:<data>"},
      {"sealed:v9:k1:AAAA", "sealed secret of format version \"v9\": this syncline reads v1"},
      {"sealed:v1:k 1:AAAA", "not a sealed secret: the key id is not 1-64 of"},
      {"sealed:v1:k1:@@@@", "not a sealed secret: its data (key k1) is not base64"},
      {with_data(*envelope, data.substr(0, 27)),
       "sealed secret (key k1) is truncated: 27 bytes of data, at least 28 expected"},
      {"sealed:v1:k1:", "sealed secret (key k1) is truncated: 0 bytes of data"},
  };
  for (const auto& c : cases) {
    INFO(c.envelope);
    auto r = crypto::unseal(ring, c.envelope, acme);
    REQUIRE_FALSE(r);
    CHECK(r.error().category == syncline::errc::invalid_input);
    CHECK_THAT(r.error().message, Catch::Matchers::StartsWith(c.message));
    CHECK(r.error().message.find("shpat_") == std::string::npos);
  }
  // A truncated envelope that still holds 28 bytes loses its tag's end: the tag check fails.
  auto cut = crypto::unseal(ring, with_data(*envelope, data.substr(0, data.size() - 1)), acme);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().category == syncline::errc::unauthorized);
}

TEST_CASE("crypto: rotation reseals with the current key, and the old key can then go") {
  const auto before = ring_of(entry("k1", 'a'));
  auto old_envelope = crypto::seal(before, token, acme);
  REQUIRE(old_envelope);

  // k2 becomes current; k1 stays to open what it sealed.
  const auto during = ring_of(entry("k2", 'b') + "\n" + entry("k1", 'a'));
  auto still_opens = crypto::unseal(during, *old_envelope, acme);
  REQUIRE(still_opens);
  CHECK(*still_opens == token);
  auto resealed = crypto::reseal(during, *old_envelope, acme);
  REQUIRE(resealed);
  CHECK(*crypto::sealed_key_id(*resealed) == "k2");
  CHECK(*crypto::sealed_key_id(*old_envelope) == "k1");

  // Once every row is resealed, k1 is removed: the new envelope opens, the old one names k1.
  const auto after = ring_of(entry("k2", 'b'));
  auto opened = crypto::unseal(after, *resealed, acme);
  REQUIRE(opened);
  CHECK(*opened == token);
  auto stale = crypto::unseal(after, *old_envelope, acme);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().category == syncline::errc::not_found);

  // Resealing for another row is refused like opening it.
  auto moved = crypto::reseal(during, *old_envelope, {"shopify_sync", "other.myshopify.com"});
  REQUIRE_FALSE(moved);
  CHECK(moved.error().category == syncline::errc::unauthorized);
}

TEST_CASE("crypto: a secret past max_sealed_size is refused") {
  const auto ring = ring_of(entry("k1", 'a'));
  auto r = crypto::seal(ring, secret(std::string(crypto::max_sealed_size + 1, 'x')), acme);
  REQUIRE_FALSE(r);
  CHECK(r.error().category == syncline::errc::limit_exceeded);
}

}  // namespace unity_crypto_sealed_test
