// The limits and settings of an http::server.
#pragma once

#include <syncline/http/tls.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

namespace syncline::http {

struct server_options {
  std::size_t max_header_bytes = 16 * 1024;  // request line + headers; over it: 431
  std::size_t max_body_bytes = 1 << 20;      // over it: 413 (before reading it when declared)
  // From a request's first byte until its header is complete (slowloris defence); over it: 408.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the header until the body is complete; over it: 408.
  std::chrono::milliseconds body_timeout{30'000};
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{60'000};
  // Writing one response (a peer that does not read cannot hold the connection forever).
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections the server holds. At the cap, a newcomer takes the place of an idle
  // connection (between requests) of a peer that holds more connections than the newcomer's peer
  // would, heaviest peer first; when there is none it gets a "503 Service Unavailable" with
  // Retry-After: 1 and is closed at once. A request in progress is never cut to make room.
  std::size_t max_connections = 10'000;
  // Open connections one peer may hold, so that one client cannot take the whole server: beyond
  // it a connection from that peer gets "429 Too Many Requests" with Retry-After: 1 and is closed
  // at once (logged once until the peer drops below it again); other peers are served as before.
  // A peer is an IPv4 address, or an IPv6 /64 network (one host commonly owns a whole /64).
  // 0 turns the limit off: do that behind a reverse proxy or load balancer that connects from
  // one address, and let it limit per client instead.
  std::size_t max_connections_per_peer = 1'000;
  // Serve HTTPS when set.
  std::optional<server_tls_options> tls;
  // Receives one line per notable event (handler exception, accept failure). Never receives
  // header values or bodies.
  std::function<void(std::string_view)> log;
};

}  // namespace syncline::http
