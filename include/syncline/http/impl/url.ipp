// The bodies of <syncline/http/url.hpp>.
#pragma once

#include <syncline/http/url.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::http {

SYNCLINE_DECL result<url> parse_url(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return make_error(errc::invalid_input, "invalid URL: " + std::string(why));
  };
  url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail("missing scheme (expected http:// or https://)");
  for (char c : text.substr(0, sep))
    u.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (u.scheme != "http" && u.scheme != "https")
    return fail("unsupported scheme '" + u.scheme + "' (expected http or https)");
  text.remove_prefix(sep + 3);
  if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  auto end = text.find_first_of("/?");
  std::string_view authority = text.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  if (authority.find('@') != std::string_view::npos)
    return fail("user information in a URL is not accepted; send credentials in a header");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    u.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail("missing host");
  for (char c : u.host)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\' || c == '%' || c == 0x7f)
      return fail("invalid character in host");
  if (port_text.empty()) {
    u.port = u.tls() ? 443 : 80;
  } else {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return fail("invalid port");
    u.port = static_cast<std::uint16_t>(value);
  }
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail("control character or space in path or query (percent-encode it)");
  u.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  return u;
}

SYNCLINE_DECL std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

SYNCLINE_DECL std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace syncline::http
