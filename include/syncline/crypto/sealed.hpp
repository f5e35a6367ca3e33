// crypto::seal, unseal, reseal: a secret encrypted at rest with AES-256-GCM (OpenSSL EVP) under
// a key of a crypto::keyring, as one printable envelope a store keeps in a text column:
//
//   sealed:v1:<key id>:<base64(12-byte nonce | ciphertext | 16-byte tag)>
//
// The envelope names its format version and its key, so a keyring with several keys opens what
// any of them sealed, and a rotation (a new current key) reseals row by row. The nonce is fresh
// from RAND_bytes for every seal: sealing the same secret twice gives two envelopes.
//
// Associated data binds an envelope to its place (e.g. the integration and the shop of the
// row): it is authenticated, not stored, so an envelope copied into another row does not open
// there. The header (version and key id) is authenticated too.
//
//   const crypto::associated_data row{"shopify_sync", "acme.myshopify.com"};
//   auto envelope = crypto::seal(ring, token, row);     // result<std::string>
//   auto token2 = crypto::unseal(ring, *envelope, row);  // result<secret>
//
// Errors never hold a plaintext or key byte: a key id the keyring lacks is errc::not_found
// (naming the id), a tag that does not verify is errc::unauthorized ("wrong key or tampered"),
// anything else that is not an envelope is errc::invalid_input.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/crypto/keyring.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace syncline::crypto {

// What an envelope is bound to: its parts, each length-prefixed, so that ("ab", "c") and
// ("a", "bc") differ.
class associated_data {
 public:
  associated_data() = default;
  associated_data(std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts) {
      encoded_ += std::to_string(p.size());
      encoded_ += ':';
      encoded_ += p;
    }
  }
  std::string_view encoded() const noexcept { return encoded_; }

 private:
  std::string encoded_;
};

// The largest plaintext sealed (credentials are small; OpenSSL counts in int).
inline constexpr std::size_t max_sealed_size = 1 << 20;

// An envelope of `plaintext` under the keyring's current key. errc::limit_exceeded past
// max_sealed_size; errc::internal when OpenSSL fails.
SYNCLINE_DECL result<std::string> seal(const keyring& ring, const secret& plaintext,
                                       const associated_data& bound_to);

// The plaintext of `envelope`, sealed with any key of the keyring and the same associated data.
SYNCLINE_DECL result<secret> unseal(const keyring& ring, std::string_view envelope,
                                    const associated_data& bound_to);

// Rotation: `envelope` opened with whichever key sealed it, sealed again with the current key.
SYNCLINE_DECL result<std::string> reseal(const keyring& ring, std::string_view envelope,
                                         const associated_data& bound_to);

// The id of the key that sealed `envelope` (a rotation reseals those that are not the
// current one), read without opening it. errc::invalid_input when it is no envelope.
SYNCLINE_DECL result<std::string> sealed_key_id(std::string_view envelope);

}  // namespace syncline::crypto

#if SYNCLINE_HEADER_ONLY
#include <syncline/crypto/impl/sealed.ipp>
#endif
