// crypto::keyring: the AES-256 keys that seal secrets at rest (crypto/sealed.hpp). One key is
// current and seals; the others only open what they sealed before a rotation, until every sealed
// value was resealed with the current key.
//
// The format, the same in a file and in an environment variable: entries `key_id:base64(32
// bytes)`, separated by line breaks or commas; blank lines and lines starting with '#' are
// skipped. The FIRST entry is the current key: it seals; the others only open. A key id is 1-64
// of A-Z a-z 0-9 . _ -.
//
//   # /etc/syncline/keys, mode 600: k2 seals, k1 opens what it sealed until all is resealed
//   k2:3q2+7wzM0o5Yb1u5Vb0cQ2yq4jv6Jb8vN8y2k0X9a1E=
//   k1:Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=
//
//   SYNCLINE_KEYS="k2:3q2+7w...,k1:Zm9vYm..."      (the same, in one variable)
//   umask 077 && printf 'k1:%s\n' "$(openssl rand -base64 32)" > /etc/syncline/keys
//
// A key file that group or others may read or write is refused, as ssh refuses such a private
// key. Every mistake (no key, a wrong size, bad base64, a duplicate id) is an error that names
// the source and the line, never a key byte. Key bytes are wiped (OPENSSL_cleanse) when the
// keyring lets go of them; the keyring cannot be copied, so they exist once, and it prints as
// its ids only.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>

#include <array>
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::crypto {

inline constexpr std::size_t key_size = 32;  // AES-256

class keyring {
 public:
  using key_bytes = std::array<unsigned char, key_size>;

  // `source` names where the text came from in errors ("key file /etc/syncline/keys").
  SYNCLINE_DECL static result<keyring> parse(std::string_view text, std::string_view source);
  // errc::not_found when the file does not exist; errc::invalid_input when group or others may
  // read or write it, or its content is not a keyring.
  SYNCLINE_DECL static result<keyring> from_file(const std::filesystem::path& path);
  // errc::not_found when the variable is not set or empty.
  SYNCLINE_DECL static result<keyring> from_env(const char* name);

  // A new entry "id:base64(32 random bytes)" for a key file or variable (to rotate: put it
  // first). errc::invalid_input for a bad id, errc::internal when OpenSSL has no randomness.
  SYNCLINE_DECL static result<secret> generate_entry(std::string_view id);

  keyring(keyring&&) noexcept = default;
  keyring& operator=(keyring&&) noexcept = default;
  keyring(const keyring&) = delete;
  keyring& operator=(const keyring&) = delete;

  // The key that seals.
  const std::string& current_id() const noexcept { return keys_.front().id; }
  // Every id, the current first.
  SYNCLINE_DECL std::vector<std::string> ids() const;
  bool contains(std::string_view id) const noexcept { return reveal(id) != nullptr; }

  // The bytes of key `id`, or nullptr. For crypto/sealed.hpp: named like secret::reveal so
  // every use is greppable.
  SYNCLINE_DECL const key_bytes* reveal(std::string_view id) const noexcept;

  // 1-64 characters of A-Z a-z 0-9 . _ -: fits a file line, an envelope and a log line as is.
  SYNCLINE_DECL static bool is_key_id(std::string_view id) noexcept;

 private:
  // One key; its bytes are wiped when it is destroyed or moved from.
  struct named_key {
    std::string id;
    key_bytes bytes{};

    named_key() = default;
    SYNCLINE_DECL named_key(named_key&& other) noexcept;
    named_key& operator=(named_key&&) = delete;
    named_key(const named_key&) = delete;
    named_key& operator=(const named_key&) = delete;
    SYNCLINE_DECL ~named_key();
  };

  keyring() = default;
  // Adds one "key_id:base64" entry; the error names what is wrong, never a key byte.
  SYNCLINE_DECL result<void> add(std::string_view entry);

  std::vector<named_key> keys_;  // never empty once built; the current first
};

// "keyring{current k2; k2, k1}": ids only.
SYNCLINE_DECL std::string to_string(const keyring& k);
inline std::ostream& operator<<(std::ostream& os, const keyring& k) { return os << to_string(k); }

}  // namespace syncline::crypto

#if SYNCLINE_HEADER_ONLY
#include <syncline/crypto/impl/keyring.ipp>
#endif
