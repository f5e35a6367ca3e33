// What a server handler sees of one request: the raw message plus the parts routing found.
#pragma once

#include <syncline/config.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::http {

struct incoming {
  const request& message;  // method, target, headers and the raw body bytes
  std::string_view path;   // the target without its query
  std::string_view query;  // the raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> params;  // route captures, percent-decoded
  boost::asio::ip::tcp::endpoint remote;

  // The capture named `name` in the route pattern; "" when the pattern has none.
  std::string_view param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return {};
  }

  // The first `name=value` of the query, percent-decoded ('+' is a space); nullopt when absent
  // or when its escape sequences are broken.
  SYNCLINE_DECL std::optional<std::string> query_param(std::string_view name) const;

  // Case-insensitive header lookup; "" when absent.
  std::string_view header(std::string_view name) const {
    auto it = message.find(name);
    if (it == message.end()) return {};
    return it->value();
  }
  std::string_view header(field name) const {
    auto it = message.find(name);
    if (it == message.end()) return {};
    return it->value();
  }

  std::string_view body() const noexcept { return message.body(); }
  verb method() const noexcept { return message.method(); }
};

// A route's handler. It runs on one of the threads that run the server's context; the requests
// of one connection are handled one at a time, in order. A thrown exception becomes a 500 (its
// text is logged, never sent to the peer).
using handler = std::function<boost::asio::awaitable<response>(incoming&)>;

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/incoming.ipp>
#endif
