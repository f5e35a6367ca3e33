// The bodies of <syncline/http/hmac.hpp>, on OpenSSL 3.
#pragma once

#include <syncline/http/hmac.hpp>

#include <memory>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdexcept>

namespace syncline::http {

namespace detail {
struct mac_ctx_free {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, mac_ctx_free>;

// An HMAC context with SHA-256 already chosen, one per thread. Fetching the algorithms costs
// more than hashing a 1 KB webhook (EVP_Q_mac fetches them on every call); duplicating a ready
// context does not. Per thread, because OpenSSL contexts are not shared between threads.
SYNCLINE_DECL EVP_MAC_CTX* hmac_sha256_prototype() {
  thread_local mac_ctx_ptr proto = []() -> mac_ctx_ptr {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) return nullptr;
    mac_ctx_ptr ctx(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);  // the context keeps its own reference
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!ctx || !EVP_MAC_CTX_set_params(ctx.get(), params)) return nullptr;
    return ctx;
  }();
  return proto.get();
}
}  // namespace detail

SYNCLINE_DECL sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  sha256_digest out{};
  std::size_t len = 0;
  EVP_MAC_CTX* proto = detail::hmac_sha256_prototype();
  detail::mac_ctx_ptr ctx(proto ? EVP_MAC_CTX_dup(proto) : nullptr);
  if (!ctx ||
      !EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                    nullptr) ||
      !EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(message.data()),
                      message.size()) ||
      !EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) || len != out.size()) {
    throw std::runtime_error("syncline: HMAC-SHA256 failed in OpenSSL");
  }
  return out;
}

SYNCLINE_DECL std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

SYNCLINE_DECL std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes; take them off again.
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

SYNCLINE_DECL std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

SYNCLINE_DECL std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string padded;
  padded.reserve(text.size() + 3);
  for (char c : text) {
    // '+', '/' and '=' belong to plain Base64: refused, so that one token has one spelling.
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    padded += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (padded.size() % 4 != 0) padded += '=';
  return base64_decode(padded);
}

SYNCLINE_DECL std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

SYNCLINE_DECL bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SYNCLINE_DECL std::string hmac_sha256_base64(std::string_view secret, std::string_view body) {
  return base64_encode(hmac_sha256(secret, body));
}

SYNCLINE_DECL bool verify_hmac_sha256_base64(std::string_view secret, std::string_view body,
                                             std::string_view signature_b64) {
  return constant_time_equal(hmac_sha256_base64(secret, body), signature_b64);
}

}  // namespace syncline::http
