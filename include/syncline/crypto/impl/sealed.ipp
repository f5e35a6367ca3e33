// The bodies of <syncline/crypto/sealed.hpp>: AES-256-GCM through OpenSSL 3's EVP interface.
#pragma once

#include <syncline/crypto/sealed.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/json/detail/quote.hpp>

#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <utility>

namespace syncline::crypto {

namespace detail {

inline constexpr std::string_view envelope_magic = "sealed";
inline constexpr std::string_view envelope_version = "v1";
inline constexpr std::size_t nonce_size = 12;  // GCM's native IV size: no extra GHASH step
inline constexpr std::size_t tag_size = 16;

struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

// "sealed:v1:<id>:" — also the first part of what GCM authenticates, so that the version and
// the key id cannot be changed without the tag noticing.
inline std::string envelope_header(std::string_view key_id) {
  std::string h(envelope_magic);
  h += ':';
  h += envelope_version;
  h += ':';
  h += key_id;
  h += ':';
  return h;
}

struct parsed_envelope {
  std::string key_id;
  std::string bytes;  // nonce | ciphertext | tag
};

// Reads the envelope's parts without opening it. The message never quotes the envelope's data:
// a column that holds a plaintext token by mistake must not put it into an error.
inline result<parsed_envelope> parse_envelope(std::string_view envelope) {
  const auto bad = [](std::string what) {
    return make_error(errc::invalid_input, "not a sealed secret: " + std::move(what));
  };
  const std::size_t c1 = envelope.find(':');
  if (c1 == std::string_view::npos || envelope.substr(0, c1) != envelope_magic) {
    return bad("expected sealed:v1:<key id>:<data>");
  }
  const std::size_t c2 = envelope.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("expected sealed:v1:<key id>:<data>");
  const std::string_view version = envelope.substr(c1 + 1, c2 - c1 - 1);
  if (version != envelope_version) {
    return make_error(errc::invalid_input, "sealed secret of format version " +
                                               json::detail::quoted(version, 16) +
                                               ": this syncline reads v1");
  }
  const std::size_t c3 = envelope.find(':', c2 + 1);
  if (c3 == std::string_view::npos) return bad("expected sealed:v1:<key id>:<data>");
  const std::string_view id = envelope.substr(c2 + 1, c3 - c2 - 1);
  if (!keyring::is_key_id(id)) return bad("the key id is not 1-64 of A-Z a-z 0-9 . _ -");
  auto bytes = http::base64_decode(envelope.substr(c3 + 1));
  if (!bytes) return bad("its data (key " + std::string(id) + ") is not base64");
  if (bytes->size() < nonce_size + tag_size) {
    return make_error(errc::invalid_input, "sealed secret (key " + std::string(id) +
                                               ") is truncated: " + std::to_string(bytes->size()) +
                                               " bytes of data, at least " +
                                               std::to_string(nonce_size + tag_size) + " expected");
  }
  return parsed_envelope{std::string(id), std::move(*bytes)};
}

inline const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// AES-256-GCM fetched once: OpenSSL 3 looks EVP_aes_256_gcm() up again at every init, which
// costs more than sealing a token. Kept for the program's life (never freed: it is shared).
inline const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

inline error openssl_failed(std::string_view step) {
  return make_error(errc::internal, "AES-256-GCM " + std::string(step) + " failed in OpenSSL");
}

}  // namespace detail

SYNCLINE_DECL result<std::string> seal(const keyring& ring, const secret& plaintext,
                                       const associated_data& bound_to) {
  const std::string_view text = plaintext.reveal();
  if (text.size() > max_sealed_size) {
    return make_error(errc::limit_exceeded, "secret of " + std::to_string(text.size()) +
                                                " bytes: at most " +
                                                std::to_string(max_sealed_size) + " are sealed");
  }
  const std::string& id = ring.current_id();
  const keyring::key_bytes* key = ring.reveal(id);
  const std::string header = detail::envelope_header(id);

  // nonce | ciphertext (as long as the plaintext in GCM) | tag
  std::string out(detail::nonce_size + text.size() + detail::tag_size, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* cipher = nonce + detail::nonce_size;
  auto* tag = cipher + text.size();
  if (RAND_bytes(nonce, static_cast<int>(detail::nonce_size)) != 1) {
    return detail::openssl_failed("nonce (RAND_bytes)");
  }
  detail::cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), detail::aes_256_gcm(), nullptr, key->data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, detail::bytes_of(header),
                        static_cast<int>(header.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, detail::bytes_of(bound_to.encoded()),
                        static_cast<int>(bound_to.encoded().size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len, detail::bytes_of(text),
                        static_cast<int>(text.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(detail::tag_size),
                          tag) != 1) {
    return detail::openssl_failed("encryption");
  }
  return header + http::base64_encode(out);
}

SYNCLINE_DECL result<secret> unseal(const keyring& ring, std::string_view envelope,
                                    const associated_data& bound_to) {
  auto parsed = detail::parse_envelope(envelope);
  if (!parsed) return std::move(parsed).error();
  const keyring::key_bytes* key = ring.reveal(parsed->key_id);
  if (!key) {
    std::string held;
    for (const auto& id : ring.ids()) held += (held.empty() ? "" : ", ") + id;
    return make_error(errc::not_found, "sealed secret needs key \"" + parsed->key_id +
                                           "\", which the keyring does not hold (it holds " + held +
                                           ")");
  }
  const std::string header = detail::envelope_header(parsed->key_id);
  const std::string_view data = parsed->bytes;
  const std::size_t cipher_size = data.size() - detail::nonce_size - detail::tag_size;
  const auto* nonce = detail::bytes_of(data);
  const auto* cipher = nonce + detail::nonce_size;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  std::string tag(data.substr(detail::nonce_size + cipher_size));

  std::string plain(cipher_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  detail::cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), detail::aes_256_gcm(), nullptr, key->data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, detail::bytes_of(header),
                        static_cast<int>(header.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, detail::bytes_of(bound_to.encoded()),
                        static_cast<int>(bound_to.encoded().size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, cipher, static_cast<int>(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(detail::tag_size),
                          tag.data()) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return detail::openssl_failed("decryption");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1) {
    // Unverified plaintext is never let out, not even in memory that is freed.
    OPENSSL_cleanse(plain.data(), plain.size());
    return make_error(errc::unauthorized,
                      "sealed secret (key " + parsed->key_id +
                          ") does not open: wrong key or tampered, or sealed for another row");
  }
  return secret(std::move(plain));
}

SYNCLINE_DECL result<std::string> reseal(const keyring& ring, std::string_view envelope,
                                         const associated_data& bound_to) {
  auto plain = unseal(ring, envelope, bound_to);
  if (!plain) return std::move(plain).error();
  return seal(ring, *plain, bound_to);
}

SYNCLINE_DECL result<std::string> sealed_key_id(std::string_view envelope) {
  auto parsed = detail::parse_envelope(envelope);
  if (!parsed) return std::move(parsed).error();
  return std::move(parsed->key_id);
}

}  // namespace syncline::crypto
