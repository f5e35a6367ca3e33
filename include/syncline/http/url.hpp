// An absolute http(s) URL split into what the client needs: where to connect and what to ask.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::http {

struct url {
  std::string scheme;  // "http" or "https"
  std::string host;    // name or address; IPv6 without brackets
  std::uint16_t port = 0;
  std::string target;  // origin-form request target: path and query, never empty ("/")

  bool tls() const noexcept { return scheme == "https"; }
  std::string_view path() const noexcept {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
  std::string_view query() const noexcept {
    std::string_view t = target;
    auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
  }
  bool default_port() const noexcept { return port == (tls() ? 443 : 80); }
  // The Host header value: the port is left out when it is the scheme's default.
  std::string authority() const {
    // Appended, not `"[" + host + "]"`: g++ 12 at -O3 reports a false -Wrestrict on
    // `"literal" + std::string` (GCC bug 105651), an error in syncline's Release CI build.
    std::string a;
    if (host.find(':') != std::string::npos)
      a.append("[").append(host).append("]");
    else
      a = host;
    if (!default_port()) a += ":" + std::to_string(port);
    return a;
  }
  // "https://host:port/path" without the query: query values often carry tokens, so this is
  // the only form of a URL that error messages and logs may show.
  std::string redacted() const {
    std::string s = scheme + "://" + authority();
    s += path();
    return s;
  }
};

// Accepts "http[s]://host[:port][/path][?query]"; a fragment is dropped. User information
// ("user:pass@") is refused: credentials belong in headers, where they are never logged.
SYNCLINE_DECL result<url> parse_url(std::string_view text);

// RFC 3986 percent-encoding of a path segment or query value: everything but the unreserved
// characters (A-Z a-z 0-9 - . _ ~) becomes %XX.
SYNCLINE_DECL std::string percent_encode(std::string_view text);

// Decodes %XX escapes (and '+' as a space in query strings); nullopt for a broken escape.
SYNCLINE_DECL std::optional<std::string> percent_decode(std::string_view text,
                                                        bool plus_is_space = false);

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/url.ipp>
#endif
