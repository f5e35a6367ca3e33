// The `state` of an install: 32 random bytes from OpenSSL, base64url (43 characters of
// [A-Za-z0-9_-]), so that no one can guess a state the engine issued.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/hmac.hpp>

#include <array>
#include <openssl/rand.h>
#include <string>
#include <string_view>

namespace syncline::shopify::detail {

inline result<std::string> new_install_state() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return make_error(errc::internal, "install: OpenSSL has no randomness for a state");
  return http::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace syncline::shopify::detail
