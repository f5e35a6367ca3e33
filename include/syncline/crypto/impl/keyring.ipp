// The bodies of <syncline/crypto/keyring.hpp>, on OpenSSL 3.
#pragma once

#include <syncline/crypto/keyring.hpp>
#include <syncline/http/hmac.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <system_error>
#include <utility>

namespace syncline::crypto {

namespace detail {
// Wipes a string that held key material (a file's text, a decoded key) before it is freed.
struct wiped_string {
  std::string text;
  wiped_string() = default;
  explicit wiped_string(std::string t) : text(std::move(t)) {}
  wiped_string(const wiped_string&) = delete;
  wiped_string& operator=(const wiped_string&) = delete;
  ~wiped_string() {
    if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  }
};

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
}  // namespace detail

SYNCLINE_DECL keyring::named_key::named_key(named_key&& other) noexcept
    : id(std::move(other.id)), bytes(other.bytes) {
  OPENSSL_cleanse(other.bytes.data(), other.bytes.size());
}

SYNCLINE_DECL keyring::named_key::~named_key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

SYNCLINE_DECL bool keyring::is_key_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

SYNCLINE_DECL result<keyring> keyring::parse(std::string_view text, std::string_view source) {
  keyring ring;
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    const std::string_view line = detail::trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const bool several = line.find(',') != std::string_view::npos;
    std::size_t entry_no = 0;
    for (std::size_t at = 0; at <= line.size();) {
      const std::size_t comma = std::min(line.find(',', at), line.size());
      const std::string_view entry = detail::trim(line.substr(at, comma - at));
      at = comma + 1;
      ++entry_no;
      if (entry.empty()) continue;
      auto added = ring.add(entry);
      if (!added) {
        std::string where = std::string(source) + ", line " + std::to_string(line_no);
        if (several) where += ", entry " + std::to_string(entry_no);
        return make_error(added.error().category, where + ": " + added.error().message);
      }
    }
  }
  if (ring.keys_.empty()) {
    return make_error(errc::invalid_input,
                      std::string(source) + " holds no key (expected key_id:base64(32 bytes))");
  }
  return ring;
}

SYNCLINE_DECL result<void> keyring::add(std::string_view entry) {
  const std::size_t colon = entry.find(':');
  if (colon == std::string_view::npos) {
    return make_error(errc::invalid_input, "expected key_id:base64(32 bytes), found no ':'");
  }
  const std::string_view id = detail::trim(entry.substr(0, colon));
  if (!is_key_id(id)) {
    return make_error(errc::invalid_input, "a key id is 1-64 of A-Z a-z 0-9 . _ - (got " +
                                               std::to_string(id.size()) + " characters)");
  }
  // Appended, not "\"" + std::string(id): g++ 12 at -O3 reports that operator+ as an overlapping
  // memcpy (-Wrestrict, a false positive), which fails the Release build.
  std::string quoted_id = "\"";
  quoted_id.append(id).append("\"");
  if (contains(id)) {
    return make_error(errc::invalid_input, "key id " + quoted_id + " is given twice");
  }
  auto decoded = http::base64_decode(detail::trim(entry.substr(colon + 1)));
  if (!decoded) {
    return make_error(errc::invalid_input, "key " + quoted_id + " is not valid base64");
  }
  const detail::wiped_string bytes(std::move(*decoded));
  if (bytes.text.size() != key_size) {
    return make_error(errc::invalid_input, "key " + quoted_id + " is " +
                                               std::to_string(bytes.text.size()) +
                                               " bytes, AES-256 needs 32");
  }
  named_key k;
  k.id = std::string(id);
  std::copy(bytes.text.begin(), bytes.text.end(), k.bytes.begin());
  keys_.push_back(std::move(k));
  return {};
}

SYNCLINE_DECL result<keyring> keyring::from_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  const std::string source = "key file " + path.string();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    return make_error(errc::not_found, source + ": no such file");
  }
  if (ec) return make_error(errc::invalid_input, source + ": " + ec.message());
  if (!fs::is_regular_file(st)) {
    return make_error(errc::invalid_input, source + ": not a regular file");
  }
  // As ssh treats a private key: a key that others may read is no longer only ours.
  constexpr fs::perms shared = fs::perms::group_all | fs::perms::others_all;
  if ((st.permissions() & shared) != fs::perms::none) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.permissions()) & 07777u);
    return make_error(
        errc::invalid_input,
        source + " may be read or written by group or others (mode " + mode + "): chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(errc::invalid_input, source + ": cannot be read");
  detail::wiped_string text;
  text.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(errc::invalid_input, source + ": read failed");
  return parse(text.text, source);
}

SYNCLINE_DECL result<keyring> keyring::from_env(const char* name) {
  const std::string source = std::string("environment variable ") + name;
  const char* value = std::getenv(name);
  if (!value || !*value) return make_error(errc::not_found, source + " is not set");
  return parse(value, source);
}

SYNCLINE_DECL result<secret> keyring::generate_entry(std::string_view id) {
  if (!is_key_id(id)) {
    return make_error(errc::invalid_input, "a key id is 1-64 of A-Z a-z 0-9 . _ -");
  }
  key_bytes bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(errc::internal, "OpenSSL's RAND_bytes failed: no key generated");
  }
  secret entry(std::string(id) + ":" + http::base64_encode(bytes));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return entry;
}

SYNCLINE_DECL std::vector<std::string> keyring::ids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& k : keys_) out.push_back(k.id);
  return out;
}

SYNCLINE_DECL const keyring::key_bytes* keyring::reveal(std::string_view id) const noexcept {
  for (const auto& k : keys_) {
    if (k.id == id) return &k.bytes;
  }
  return nullptr;
}

SYNCLINE_DECL std::string to_string(const keyring& k) {
  const auto ids = k.ids();
  std::string s = "keyring{";
  if (!ids.empty()) s += "current " + ids.front() + ";";
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : " ") + ids[i];
  s += "}";
  return s;
}

}  // namespace syncline::crypto
